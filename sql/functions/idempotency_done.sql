-- idempotency_done: the end of a write whose request carried a reserved
-- Idempotency-Key (SPEC §6): marks the key done, in the write's own
-- transaction, with the response to replay, and returns doc, the body, for
-- the write to return. The body stored is doc's text, the very bytes the
-- service sends the first time; a replay sends them again, with the same
-- status, Content-Type, Location and ETag. Without a key in the audit
-- document it only returns doc.
--
-- The audit document names the reservation's token (idempotency_reserve
-- .sql). When the key was taken over meanwhile (the worker that reserved
-- it died, or it went stale) the token is no longer the key's, and the
-- write is refused (sqlstate IK001) and rolls back: the request that took
-- the key over makes the one write. An audit document with a key and no
-- token (a service older than sql/015) marks the key as before.
CREATE OR REPLACE FUNCTION idempotency_done(audit json, code int, doc json,
	loc text, tag text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	a jsonb := audit::jsonb;
BEGIN
	IF a->>'idempotency_key' IS NULL THEN
		RETURN doc;
	END IF;
	UPDATE idempotency_keys SET state = 'done', status = code,
		body = doc::text, content_type = 'application/json',
		location = loc, etag = tag
	WHERE principal_id = a->>'principal_id'
	  AND key = a->>'idempotency_key' AND state = 'pending'
	  AND (a->>'idempotency_token' IS NULL
	    OR token = (a->>'idempotency_token')::uuid);
	IF NOT FOUND AND a->>'idempotency_token' IS NOT NULL THEN
		RAISE EXCEPTION 'Idempotency-Key % was taken over by a retry',
			a->>'idempotency_key' USING ERRCODE = 'IK001';
	END IF;
	RETURN doc;
END
$$;
