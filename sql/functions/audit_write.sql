-- audit_write: the audit row of a write, in the write's transaction (every
-- write calls it); when the request carried a reserved Idempotency-Key,
-- the key is marked done there with the answer to replay (see
-- idempotency_reserve.sql).
--
-- The audit argument: {"principal_id", "principal", "request_id",
-- "method", "path"} and, for a request with a key, "idempotency_key" and
-- the reservation's "idempotency_token". When the key was taken over
-- meanwhile (the worker that reserved it died, or it went stale) the
-- token is no longer the key's, and the write is refused (sqlstate IK001)
-- and rolls back: the request that took the key over makes the one
-- write. A key with no token (a service older than sql/013) is marked as
-- before.
--
-- In PL/pgSQL (since migration 011; 004 and 007 had it in LANGUAGE sql).
-- As a LANGUAGE sql function of two statements it could not be inlined,
-- and PostgreSQL 15 parses and plans such a function's statements anew on
-- every call: on POST /projects/{id}/events that was about a fifth of the
-- database's time. PL/pgSQL keeps each statement's plan for the session.
-- The audit document is parsed once, as jsonb, instead of once for each
-- of its fields.
CREATE OR REPLACE FUNCTION audit_write(audit json, rtype text, rid text,
	before jsonb, after jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	a jsonb := audit::jsonb;
BEGIN
	INSERT INTO audit_log (principal_id, principal, request_id, method,
		path, resource_type, resource_id, before, after)
	VALUES (a->>'principal_id', a->>'principal', a->>'request_id',
		a->>'method', a->>'path', rtype, rid, before, after);
	IF a->>'idempotency_key' IS NULL THEN
		RETURN;
	END IF;
	UPDATE idempotency_keys SET state = 'done', status = 201,
		body = after::text,
		location = CASE rtype WHEN 'project' THEN '/api/v1/projects/' || rid
			WHEN 'batch' THEN '/api/v1/batches/' || rid
			WHEN 'report' THEN '/api/v1/projects/' || (after->>'project_id')
				|| '/reports/' || rid END,
		etag = CASE rtype WHEN 'project'
			THEN '"' || (after->>'version') || '"' END
	WHERE principal_id = a->>'principal_id'
	  AND key = a->>'idempotency_key' AND state = 'pending'
	  AND (a->>'idempotency_token' IS NULL
	    OR token = (a->>'idempotency_token')::uuid);
	IF NOT FOUND AND a->>'idempotency_token' IS NOT NULL THEN
		RAISE EXCEPTION 'Idempotency-Key % was taken over by a retry',
			a->>'idempotency_key' USING ERRCODE = 'IK001';
	END IF;
END
$$;
