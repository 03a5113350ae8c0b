-- name_grams: the distinct characters and character pairs of a name,
-- lower-cased. pg_trgm extracts no trigram from a 2-character Chinese
-- search such as 机场, and pg_bigm is not in Debian; a GIN index over these
-- grams serves searches of any length (shared/notes/search.md).
--
-- Created before the migrations (sql/functions/ORDER): the generated
-- column projects.name_grams (migration 002) calls it. IMMUTABLE, as a
-- generated column requires; changing what it returns would leave the
-- stored column stale, so such a change also needs a migration that
-- rewrites projects.
CREATE OR REPLACE FUNCTION name_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
	SELECT coalesce(array_agg(DISTINCT g), '{}')
	FROM (
		SELECT substr(lower(t), i, 1) AS g
		FROM generate_series(1, char_length(t)) AS i
		UNION ALL
		SELECT substr(lower(t), i, 2)
		FROM generate_series(1, char_length(t) - 1) AS i
	) grams
$$;
