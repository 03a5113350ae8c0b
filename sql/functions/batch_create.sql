-- batch_create: a new batch, its projects and its audit row.
CREATE OR REPLACE FUNCTION batch_create(doc json, audit json) RETURNS json
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
	RETURN idempotency_done(audit, 201, batch_json(b),
		'/api/v1/batches/' || b.id, NULL);
END
$$;
