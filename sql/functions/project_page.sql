-- The date ranges and updated_since came as five more arguments, and
-- the sort as one more: the functions of ten and of fifteen go (CREATE OR
-- REPLACE would make a second one).
DROP FUNCTION IF EXISTS project_page(bigint, int, text, text, text, text,
	int, text, text, uuid);
DROP FUNCTION IF EXISTS project_page(bigint, int, text, text, text, text,
	int, text, text, uuid, date, date, date, date, timestamptz);
-- project_page: one page of projects after the cursor's row. Each filter
-- applies only when given; the query is built for the filters at hand so
-- that every call gets a plan that can use the filter's index. Area,
-- status and level are comma-separated lists (the API checked each
-- value): any of them.
--
-- The order is registration (seq), or f_sort: a column below, with '-'
-- before it for descending. A sorted list is ordered by (the column is
-- null, the column, seq): unknown values last in both directions, ties
-- in registration order (reversed with the column), so the order is
-- total and the page after the row whose seq is the cursor starts just
-- past that row's place in it. The cursor stays a seq: the row holds its
-- own sort value.
CREATE OR REPLACE FUNCTION project_page(after bigint, lim int, f_area text,
	f_status text, f_industry text, f_level text, f_signed_year int,
	f_q text, f_code text, f_batch uuid, f_signed_from date,
	f_signed_to date, f_started_from date, f_started_to date,
	f_updated_since timestamptz, f_sort text)
	RETURNS TABLE (doc json, seq bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	col text := CASE ltrim(f_sort, '-')
		WHEN 'name' THEN 'name' WHEN 'code' THEN 'code'
		WHEN 'signed_on' THEN 'signed_on' WHEN 'started_on' THEN 'started_on'
		WHEN 'planned_start_on' THEN 'planned_start_on'
		WHEN 'planned_completion_on' THEN 'planned_completion_on'
		WHEN 'total_investment_yuan' THEN 'total_investment_yuan'
		WHEN 'signed_amount_yuan' THEN 'signed_amount_yuan'
		WHEN 'progress_percent' THEN 'progress_percent'
		WHEN 'updated_at' THEN 'updated_at' END;
	op text := CASE WHEN left(f_sort, 1) = '-' THEN '<' ELSE '>' END;
	dir text := CASE WHEN left(f_sort, 1) = '-' THEN ' DESC' ELSE '' END;
	sql text;
BEGIN
	IF f_sort IS NOT NULL AND col IS NULL THEN
		RAISE EXCEPTION 'project_page: cannot sort by %', f_sort
			USING ERRCODE = '22023';
	END IF;
	IF col IS NULL THEN
		sql := 'SELECT project_json(p), p.seq FROM projects p'
			|| ' WHERE p.seq > $1';
	ELSE
		-- c: the cursor's row (none on the first page).
		sql := format('SELECT project_json(p), p.seq FROM projects p'
			|| ' LEFT JOIN projects c ON c.seq = $1'
			|| ' WHERE (c.seq IS NULL'
			|| ' OR (p.%1$I IS NULL) > (c.%1$I IS NULL)'
			|| ' OR ((p.%1$I IS NULL) = (c.%1$I IS NULL)'
			|| ' AND (p.%1$I %2$s c.%1$I'
			|| ' OR (p.%1$I IS NOT DISTINCT FROM c.%1$I'
			|| ' AND p.seq %2$s c.seq))))', col, op);
	END IF;

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
	IF col IS NULL THEN
		sql := sql || ' ORDER BY p.seq LIMIT $2';
	ELSE
		sql := sql || format(' ORDER BY (p.%1$I IS NULL), p.%1$I%2$s,'
			|| ' p.seq%2$s LIMIT $2', col, dir);
	END IF;
	RETURN QUERY EXECUTE sql USING after, lim, f_area, f_status,
		f_industry, f_level, f_signed_year, f_q, f_code, f_batch,
		f_signed_from, f_signed_to, f_started_from, f_started_to,
		f_updated_since;
END
$$;
