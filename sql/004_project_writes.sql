-- 004: the project writes, each one statement from the service's point of
-- view, so that the change, its derived fields and its audit row commit
-- together or not at all.
--
-- The rules themselves are checked in C (src/domain/lifecycle.c) on the
-- history read just before; a write names the version it was checked
-- against and changes nothing when the project moved on meanwhile (the
-- service then reads again and re-checks).

-- The audit argument: {"principal_id", "principal", "request_id",
-- "method", "path"}.
CREATE FUNCTION audit_write(audit json, rtype text, rid text, before jsonb,
	after jsonb) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO audit_log (principal_id, principal, request_id, method,
		path, resource_type, resource_id, before, after)
	VALUES (audit->>'principal_id', audit->>'principal',
		audit->>'request_id', audit->>'method', audit->>'path', rtype,
		rid, before, after)
$$;

-- Columns a client may set; the rest are derived or assigned.
CREATE FUNCTION project_create(fields json, derived json, events json,
	audit json) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	p projects;
	f projects := json_populate_record(NULL::projects, fields);
	d projects := json_populate_record(NULL::projects, derived);
BEGIN
	-- Serialize creations so that seq order is commit order: a list
	-- page then never skips a project that commits late.
	PERFORM pg_advisory_xact_lock(727401);
	INSERT INTO projects (id, code, name, area, industry, owner, park,
		level, funding, total_investment_yuan, planned_start_on,
		planned_completion_on, progress_percent, status, signed_on,
		signed_amount_yuan, started_on, completed_on, operating_on)
	VALUES (gen_random_uuid(), f.code, f.name, f.area, f.industry,
		f.owner, f.park, f.level, f.funding,
		coalesce(f.total_investment_yuan, 0), f.planned_start_on,
		f.planned_completion_on, coalesce(f.progress_percent, 0),
		d.status, d.signed_on, d.signed_amount_yuan, d.started_on,
		d.completed_on, d.operating_on)
	RETURNING * INTO p;
	INSERT INTO project_events (id, project_id, type, effective_on,
		amount_yuan, kind, note, recorded_by)
	SELECT gen_random_uuid(), p.id, x.type, x.effective_on, x.amount_yuan,
		x.kind, x.note, audit->>'principal'
	FROM ROWS FROM (json_to_recordset(coalesce(events, '[]'))
		AS (type text, effective_on date, amount_yuan bigint,
		    kind text, note text)) WITH ORDINALITY
		AS x(type, effective_on, amount_yuan, kind, note, ord)
	ORDER BY x.ord;
	PERFORM audit_write(audit, 'project', p.id::text, NULL,
		project_json(p)::jsonb);
	RETURN project_json(p);
END
$$;

-- Applies a merge patch's editable fields. NULL when the version moved.
CREATE FUNCTION project_update(pid uuid, expected bigint, fields json,
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

-- Appends one event (or retraction) and the derived fields it implies.
-- NULL when the version moved.
CREATE FUNCTION event_append(pid uuid, expected bigint, ev json,
	derived json, audit json) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	old projects;
	p projects;
	e project_events;
	d projects := json_populate_record(NULL::projects, derived);
BEGIN
	SELECT * INTO old FROM projects WHERE id = pid AND version = expected
		FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	INSERT INTO project_events (id, project_id, type, effective_on,
		amount_yuan, kind, note, retracts, reason, recorded_by)
	VALUES (gen_random_uuid(), pid, ev->>'type',
		coalesce((ev->>'effective_on')::date, today_local()),
		(ev->>'amount_yuan')::bigint, ev->>'kind', ev->>'note',
		(ev->>'retracts')::uuid, ev->>'reason', audit->>'principal')
	RETURNING * INTO e;
	UPDATE projects SET status = d.status, signed_on = d.signed_on,
		signed_amount_yuan = d.signed_amount_yuan,
		started_on = d.started_on, completed_on = d.completed_on,
		operating_on = d.operating_on, version = version + 1,
		updated_at = now()
	WHERE id = pid
	RETURNING * INTO p;
	PERFORM audit_write(audit, 'event', e.id::text,
		project_json(old)::jsonb,
		json_build_object('event', event_json(e),
			'project', project_json(p))::jsonb);
	RETURN json_build_object('event', event_json(e), 'project',
		project_json(p));
END
$$;

-- What a search must contain: its character pairs, or for a single
-- character the character itself (rarer pairs make shorter index scans
-- than the single characters that every name shares).
CREATE FUNCTION query_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
	SELECT CASE WHEN char_length(t) < 2 THEN ARRAY[lower(t)] ELSE
		(SELECT array_agg(DISTINCT substr(lower(t), i, 2))
		 FROM generate_series(1, char_length(t) - 1) AS i) END
$$;

-- The page of projects (project_page) is in 006, with its batch filter.

-- The project code's area segment must be a known area, as data.
ALTER TABLE projects ADD COLUMN code_area text
	GENERATED ALWAYS AS (substr(code, 6, 6)) STORED;
ALTER TABLE projects ADD CONSTRAINT projects_code_area_fkey
	FOREIGN KEY (code_area) REFERENCES areas (code);
