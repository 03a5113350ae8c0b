-- query_grams: what a search must contain: its character pairs, or for a
-- single character the character itself (rarer pairs make shorter index
-- scans than the single characters that every name shares). Matched
-- against projects.name_grams (name_grams.sql) by project_page.
CREATE OR REPLACE FUNCTION query_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
	SELECT CASE WHEN char_length(t) < 2 THEN ARRAY[lower(t)] ELSE
		(SELECT array_agg(DISTINCT substr(lower(t), i, 2))
		 FROM generate_series(1, char_length(t) - 1) AS i) END
$$;
