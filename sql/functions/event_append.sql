-- event_append: appends one event (or retraction) and the derived fields
-- it implies. NULL when the version moved (see project_create.sql).
CREATE OR REPLACE FUNCTION event_append(pid uuid, expected bigint, ev json,
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
	RETURN idempotency_done(audit, 201, json_build_object('event',
		event_json(e), 'project', project_json(p)),
		'/api/v1/projects/' || pid || '/events/' || e.id, NULL);
END
$$;
