-- 006: the development zones' "三个一批" events (签约一批、开工一批、投产一批):
-- a batch of projects signed, started or put into production together on
-- one day, and how many of them have since reached the next stage.
CREATE TABLE batches (
	id         uuid PRIMARY KEY,
	seq        bigserial NOT NULL UNIQUE,
	kind       text NOT NULL CHECK (kind IN ('sign', 'start', 'production')),
	held_on    date NOT NULL,
	name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
	area       text NOT NULL REFERENCES areas (code),
	park       text,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE batch_projects (
	batch_id   uuid NOT NULL REFERENCES batches (id),
	project_id uuid NOT NULL REFERENCES projects (id),
	PRIMARY KEY (batch_id, project_id)
);
CREATE INDEX batch_projects_project ON batch_projects (project_id);

-- A batch as the API shows it. The next stage of a signing batch is the
-- start, of a starting batch the production; a production batch has none.
CREATE FUNCTION batch_json(b batches) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', b.id, 'kind', b.kind,
		'held_on', b.held_on, 'name', b.name, 'area', b.area,
		'park', b.park, 'created_at', b.created_at,
		'project_count', count(p.id),
		'next_stage', CASE b.kind WHEN 'sign' THEN 'started'
			WHEN 'start' THEN 'in_operation' END,
		'reached_next_stage', CASE b.kind
			WHEN 'sign' THEN count(p.started_on)
			WHEN 'start' THEN count(p.operating_on) END,
		'projects', coalesce(json_agg(p.id ORDER BY p.seq)
			FILTER (WHERE p.id IS NOT NULL), '[]'))
	FROM batch_projects bp JOIN projects p ON p.id = bp.project_id
	WHERE bp.batch_id = b.id
$$;

CREATE FUNCTION batch_create(doc json, audit json) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	b batches;
BEGIN
	INSERT INTO batches (id, kind, held_on, name, area, park)
	VALUES (gen_random_uuid(), doc->>'kind', (doc->>'held_on')::date,
		doc->>'name', doc->>'area', doc->>'park')
	RETURNING * INTO b;
	INSERT INTO batch_projects (batch_id, project_id)
	SELECT b.id, x::uuid FROM json_array_elements_text(doc->'projects') x;
	PERFORM audit_write(audit, 'batch', b.id::text, NULL,
		batch_json(b)::jsonb);
	RETURN batch_json(b);
END
$$;

-- One page of projects, in creation order, after the cursor's seq. Each
-- filter applies only when given; the query is built for the filters at
-- hand so that every call gets a plan that can use the filter's index.
CREATE FUNCTION project_page(after bigint, lim int, f_area text,
	f_status text, f_industry text, f_level text, f_signed_year int,
	f_q text, f_code text, f_batch uuid) RETURNS TABLE (doc json, seq bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	sql text := 'SELECT project_json(p), p.seq FROM projects p WHERE p.seq > $1';
BEGIN
	IF f_area IS NOT NULL THEN sql := sql || ' AND p.area = $3'; END IF;
	IF f_status IS NOT NULL THEN sql := sql || ' AND p.status = $4'; END IF;
	IF f_industry IS NOT NULL THEN sql := sql || ' AND p.industry = $5'; END IF;
	IF f_level IS NOT NULL THEN sql := sql || ' AND p.level = $6'; END IF;
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
	sql := sql || ' ORDER BY p.seq LIMIT $2';
	RETURN QUERY EXECUTE sql USING after, lim, f_area, f_status,
		f_industry, f_level, f_signed_year, f_q, f_code, f_batch;
END
$$;
