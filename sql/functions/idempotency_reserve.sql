-- idempotency_reserve: Idempotency-Key (SPEC §6). Reserves (principal,
-- key) for a request whose hash is h. One row: outcome 'reserved',
-- 'mismatch' (the key was used with another request), 'in_flight' (the
-- first is still running), or 'done' with the response. A pending
-- reservation older than stale_s seconds is taken over. The write that
-- the request makes marks the key done in its own transaction
-- (audit_write.sql).
CREATE OR REPLACE FUNCTION idempotency_reserve(p text, k text, h text, stale_s int)
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
