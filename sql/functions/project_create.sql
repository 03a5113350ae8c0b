-- project_create: a new project with its first events and its audit row.
--
-- The project writes (project_create, project_update, event_append) are
-- each one statement from the service's point of view, so that the change,
-- its derived fields and its audit row commit together or not at all. The
-- rules themselves are checked in C (src/domain/lifecycle.c) on the
-- history read just before; a write names the version it was checked
-- against and changes nothing when the project moved on meanwhile (the
-- service then reads again and re-checks).
--
-- fields: the columns a client may set; derived: the rest, computed from
-- the events by the service.
CREATE OR REPLACE FUNCTION project_create(fields json, derived json, events json,
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
	RETURN idempotency_done(audit, 201, project_json(p),
		'/api/v1/projects/' || p.id, '"' || p.version || '"');
END
$$;
