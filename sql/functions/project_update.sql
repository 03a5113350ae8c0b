-- project_update: applies a merge patch's editable fields. NULL when the
-- version moved (see project_create.sql).
CREATE OR REPLACE FUNCTION project_update(pid uuid, expected bigint, fields json,
	audit json) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	old projects;
	p projects;
	f projects := json_populate_record(NULL::projects, fields);
BEGIN
	SELECT * INTO old FROM projects WHERE id = pid AND version = expected
		FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE projects SET code = f.code, name = f.name, area = f.area,
		industry = f.industry, owner = f.owner, park = f.park,
		level = f.level, funding = f.funding,
		total_investment_yuan = f.total_investment_yuan,
		planned_start_on = f.planned_start_on,
		planned_completion_on = f.planned_completion_on,
		progress_percent = f.progress_percent,
		version = version + 1, updated_at = now()
	WHERE id = pid
	RETURNING * INTO p;
	PERFORM audit_write(audit, 'project', p.id::text,
		project_json(old)::jsonb, project_json(p)::jsonb);
	RETURN project_json(p);
END
$$;
