-- import_projects: bulk imports for reconciliation jobs (POST
-- /api/v1/imports). Each record is a whole project keyed by its
-- 投资项目统一代码 (code): unknown codes are created, known ones updated
-- where a field differs, the rest left alone, so the same file imported
-- twice changes nothing the second time. One call, one transaction: all
-- records or none. With dry_run the same diff is computed and nothing is
-- written. ("see 004" in the body: project_create.sql.)
CREATE OR REPLACE FUNCTION import_projects(records json, dry_run boolean, audit json)
RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	rec record;
	old projects;
	p projects;
	f projects;
	k text;
	diff jsonb;
	bad json;
	changes jsonb := '[]';
	created int := 0;
	updated int := 0;
	unchanged int := 0;
BEGIN
	-- Areas are data: refuse unknown ones with the line, before writing.
	SELECT json_agg(json_build_object('pointer', '/' || x.line || e.ptr,
		'detail', 'Not a known area code.') ORDER BY x.line)
	INTO bad
	FROM json_to_recordset(records) AS x(line int, fields json)
	CROSS JOIN LATERAL (VALUES ('/area', x.fields->>'area'),
		('/code', substr(x.fields->>'code', 6, 6))) AS e(ptr, code)
	WHERE NOT EXISTS (SELECT 1 FROM areas a WHERE a.code = e.code);
	IF bad IS NOT NULL THEN
		RETURN json_build_object('errors', bad);
	END IF;
	-- Creations keep seq order equal to commit order (see 004).
	PERFORM pg_advisory_xact_lock(727401);
	FOR rec IN SELECT x.line, x.fields
		FROM json_to_recordset(records) AS x(line int, fields json)
		ORDER BY x.line
	LOOP
		f := json_populate_record(NULL::projects, rec.fields);
		SELECT * INTO old FROM projects WHERE code = f.code FOR UPDATE;
		IF NOT FOUND THEN
			created := created + 1;
			changes := changes || jsonb_build_object('line', rec.line,
				'code', f.code, 'action', 'create');
			CONTINUE WHEN dry_run;
			INSERT INTO projects (id, code, name, area, industry, owner,
				park, level, funding, total_investment_yuan,
				planned_start_on, planned_completion_on,
				progress_percent)
			VALUES (gen_random_uuid(), f.code, f.name, f.area,
				f.industry, f.owner, f.park, f.level, f.funding,
				coalesce(f.total_investment_yuan, 0),
				f.planned_start_on, f.planned_completion_on,
				coalesce(f.progress_percent, 0))
			RETURNING * INTO p;
			PERFORM audit_write(audit, 'project', p.id::text, NULL,
				project_json(p)::jsonb);
			CONTINUE;
		END IF;
		diff := '{}';
		FOR k IN SELECT json_object_keys(rec.fields) LOOP
			IF (to_jsonb(old) -> k) IS DISTINCT FROM
			   coalesce(rec.fields::jsonb -> k, 'null') THEN
				diff := diff || jsonb_build_object(k,
					jsonb_build_array(to_jsonb(old) -> k,
						rec.fields::jsonb -> k));
			END IF;
		END LOOP;
		IF diff = '{}' THEN
			unchanged := unchanged + 1;
			CONTINUE;
		END IF;
		updated := updated + 1;
		changes := changes || jsonb_build_object('line', rec.line,
			'code', f.code, 'action', 'update', 'id', old.id,
			'fields', diff);
		CONTINUE WHEN dry_run;
		p := jsonb_populate_record(old, rec.fields::jsonb);
		UPDATE projects SET name = p.name, area = p.area,
			industry = p.industry, owner = p.owner, park = p.park,
			level = p.level, funding = p.funding,
			total_investment_yuan = p.total_investment_yuan,
			planned_start_on = p.planned_start_on,
			planned_completion_on = p.planned_completion_on,
			progress_percent = p.progress_percent,
			version = version + 1, updated_at = now()
		WHERE id = old.id
		RETURNING * INTO p;
		PERFORM audit_write(audit, 'project', p.id::text,
			project_json(old)::jsonb, project_json(p)::jsonb);
	END LOOP;
	-- With an Idempotency-Key, a retry of the request is answered this
	-- outcome again, and imports nothing (a dry run wrote nothing: its
	-- key is given back, and may be used for the real import).
	IF dry_run THEN
		RETURN json_build_object('dry_run', dry_run, 'created', created,
			'updated', updated, 'unchanged', unchanged,
			'changes', changes);
	END IF;
	RETURN idempotency_done(audit, 200, json_build_object('dry_run',
		dry_run, 'created', created, 'updated', updated,
		'unchanged', unchanged, 'changes', changes), NULL, NULL);
END
$$;
