-- The date ranges and updated_since came as five more arguments: the
-- function of ten goes (CREATE OR REPLACE would make a second one).
DROP FUNCTION IF EXISTS project_page(bigint, int, text, text, text, text,
	int, text, text, uuid);
-- project_page: one page of projects, in creation order, after the
-- cursor's seq. Each filter applies only when given; the query is built
-- for the filters at hand so that every call gets a plan that can use the
-- filter's index. Area, status and level are comma-separated lists (the
-- API checked each value): any of them.
CREATE OR REPLACE FUNCTION project_page(after bigint, lim int, f_area text,
	f_status text, f_industry text, f_level text, f_signed_year int,
	f_q text, f_code text, f_batch uuid, f_signed_from date,
	f_signed_to date, f_started_from date, f_started_to date,
	f_updated_since timestamptz) RETURNS TABLE (doc json, seq bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	sql text := 'SELECT project_json(p), p.seq FROM projects p WHERE p.seq > $1';
BEGIN
	IF f_area IS NOT NULL THEN
		sql := sql || ' AND p.area = ANY (string_to_array($3, '',''))';
	END IF;
	IF f_status IS NOT NULL THEN
		sql := sql || ' AND p.status = ANY (string_to_array($4, '',''))';
	END IF;
	IF f_industry IS NOT NULL THEN sql := sql || ' AND p.industry = $5'; END IF;
	IF f_level IS NOT NULL THEN
		sql := sql || ' AND p.level = ANY (string_to_array($6, '',''))';
	END IF;
	IF f_signed_year IS NOT NULL THEN
		sql := sql || ' AND p.signed_on >= make_date($7, 1, 1)'
			|| ' AND p.signed_on < make_date($7 + 1, 1, 1)';
	END IF;
	IF f_q IS NOT NULL THEN
		sql := sql || ' AND p.name_grams @> query_grams($8)'
			|| ' AND strpos(lower(p.name), lower($8)) > 0';
	END IF;
	IF f_code IS NOT NULL THEN sql := sql || ' AND p.code = $9'; END IF;
	IF f_batch IS NOT NULL THEN
		sql := sql || ' AND p.id IN (SELECT bp.project_id FROM'
			|| ' batch_projects bp WHERE bp.batch_id = $10)';
	END IF;
	IF f_signed_from IS NOT NULL THEN sql := sql || ' AND p.signed_on >= $11'; END IF;
	IF f_signed_to IS NOT NULL THEN sql := sql || ' AND p.signed_on <= $12'; END IF;
	IF f_started_from IS NOT NULL THEN sql := sql || ' AND p.started_on >= $13'; END IF;
	IF f_started_to IS NOT NULL THEN sql := sql || ' AND p.started_on <= $14'; END IF;
	IF f_updated_since IS NOT NULL THEN
		sql := sql || ' AND p.updated_at >= $15';
	END IF;
	sql := sql || ' ORDER BY p.seq LIMIT $2';
	RETURN QUERY EXECUTE sql USING after, lim, f_area, f_status,
		f_industry, f_level, f_signed_year, f_q, f_code, f_batch,
		f_signed_from, f_signed_to, f_started_from, f_started_to,
		f_updated_since;
END
$$;
