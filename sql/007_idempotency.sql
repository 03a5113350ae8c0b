-- 007: Idempotency-Key (SPEC §6). A POST that carries a key reserves it
-- for its principal before it runs; the write that it makes marks it done
-- in the same transaction (through audit_write, which every write calls),
-- with the response to replay. So a retry never repeats a write that
-- committed, and a write that did not commit leaves the key to be taken
-- over once its reservation is stale.
CREATE TABLE idempotency_keys (
	principal_id text NOT NULL,
	key          text NOT NULL,
	request_hash text NOT NULL,
	state        text NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'done')),
	status       integer,
	body         text,
	location     text,
	etag         text,
	created_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (principal_id, key)
);

-- Reserves (principal, key) for a request whose hash is h. One row:
-- outcome 'reserved', 'mismatch' (the key was used with another request),
-- 'in_flight' (the first is still running), or 'done' with the response.
-- A pending reservation older than stale_s seconds is taken over.
CREATE FUNCTION idempotency_reserve(p text, k text, h text, stale_s int)
RETURNS TABLE (outcome text, status int, body text, location text,
	etag text)
LANGUAGE plpgsql AS $$
DECLARE
	row idempotency_keys;
BEGIN
	INSERT INTO idempotency_keys (principal_id, key, request_hash)
	VALUES (p, k, h)
	ON CONFLICT (principal_id, key) DO UPDATE SET created_at = now()
		WHERE idempotency_keys.state = 'pending'
		  AND idempotency_keys.request_hash = h
		  AND idempotency_keys.created_at <
			now() - make_interval(secs => stale_s)
	RETURNING * INTO row;
	IF FOUND THEN
		RETURN QUERY SELECT 'reserved', NULL::int, NULL::text,
			NULL::text, NULL::text;
		RETURN;
	END IF;
	SELECT * INTO row FROM idempotency_keys i
	WHERE i.principal_id = p AND i.key = k;
	RETURN QUERY SELECT CASE WHEN row.request_hash <> h THEN 'mismatch'
			WHEN row.state = 'pending' THEN 'in_flight'
			ELSE 'done' END,
		row.status, row.body, row.location, row.etag;
END
$$;

-- Every write calls audit_write in its transaction; when the request
-- carried a reserved key, the key is marked done there with the answer.
CREATE OR REPLACE FUNCTION audit_write(audit json, rtype text, rid text,
	before jsonb, after jsonb) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO audit_log (principal_id, principal, request_id, method,
		path, resource_type, resource_id, before, after)
	VALUES (audit->>'principal_id', audit->>'principal',
		audit->>'request_id', audit->>'method', audit->>'path', rtype,
		rid, before, after);
	UPDATE idempotency_keys SET state = 'done', status = 201,
		body = after::text,
		location = CASE rtype WHEN 'project' THEN '/api/v1/projects/' || rid
			WHEN 'batch' THEN '/api/v1/batches/' || rid
			WHEN 'report' THEN '/api/v1/projects/' || (after->>'project_id')
				|| '/reports/' || rid END,
		etag = CASE rtype WHEN 'project'
			THEN '"' || (after->>'version') || '"' END
	WHERE audit->>'idempotency_key' IS NOT NULL
	  AND principal_id = audit->>'principal_id'
	  AND key = audit->>'idempotency_key' AND state = 'pending';
$$;
