-- audit_write: the audit row of a write, in the write's transaction (every
-- write calls it). A write whose request carried a reserved
-- Idempotency-Key marks it done with idempotency_done, on the body that it
-- returns (until sql/016 this did, with after as the body).
--
-- The audit argument: {"principal_id", "principal", "request_id",
-- "method", "path", "client"} and, for a request with a key,
-- "idempotency_key" and "idempotency_token". "client" is the request's
-- client address (sql/018).
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
		path, client, resource_type, resource_id, before, after)
	VALUES (a->>'principal_id', a->>'principal', a->>'request_id',
		a->>'method', a->>'path', a->>'client', rtype, rid, before,
		after);
END
$$;
