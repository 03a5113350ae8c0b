-- idempotency_reserve: Idempotency-Key (SPEC §6). Reserves (principal,
-- key) for a request whose hash is h. One row: outcome 'reserved' with
-- the reservation's token, 'mismatch' (the key was used with another
-- request), 'in_flight' (the first is still running), or 'done' with the
-- response to replay. The write that the request makes names the token
-- and marks the key done in its own transaction (idempotency_done.sql).
--
-- The reservation belongs to the session that calls this (sql/015): a
-- pending one is taken over at once when its session has ended, since
-- nothing can then complete it; else only once older than stale_s
-- seconds (a live session whose request lost its key, say). A session
-- whose start this role may not read (another role's) counts as alive.
-- The reserving session need not be the one that writes: a worker's
-- sessions all end when it dies, and a write still running for it is
-- refused by its token once the key is taken over.
CREATE OR REPLACE FUNCTION idempotency_reserve(p text, k text, h text, stale_s int)
RETURNS TABLE (outcome text, status int, body text, location text,
	etag text, content_type text, token uuid)
LANGUAGE plpgsql AS $$
DECLARE
	row idempotency_keys;
	me int := pg_backend_pid();
	-- Never NULL for one's own session; if it were, the reservation
	-- would have no holder and go only when stale.
	started timestamptz := (SELECT a.backend_start
		FROM pg_stat_get_activity(pg_backend_pid()) a);
	t uuid := gen_random_uuid();
BEGIN
	INSERT INTO idempotency_keys AS i (principal_id, key, request_hash,
		holder_pid, holder_start, token)
	VALUES (p, k, h, CASE WHEN started IS NOT NULL THEN me END, started, t)
	ON CONFLICT (principal_id, key) DO UPDATE SET created_at = now(),
		holder_pid = excluded.holder_pid,
		holder_start = excluded.holder_start, token = excluded.token
		WHERE i.state = 'pending' AND i.request_hash = h
		  AND (i.created_at < now() - make_interval(secs => stale_s)
		    OR (i.holder_pid IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM pg_stat_get_activity(i.holder_pid) s
			WHERE s.backend_start IS NULL
			   OR s.backend_start = i.holder_start)))
	RETURNING * INTO row;
	IF FOUND THEN
		RETURN QUERY SELECT 'reserved', NULL::int, NULL::text,
			NULL::text, NULL::text, NULL::text, t;
		RETURN;
	END IF;
	SELECT * INTO row FROM idempotency_keys i
	WHERE i.principal_id = p AND i.key = k;
	IF NOT FOUND THEN
		-- Given back since the INSERT met it: the client retries.
		RETURN QUERY SELECT 'in_flight', NULL::int, NULL::text,
			NULL::text, NULL::text, NULL::text, NULL::uuid;
		RETURN;
	END IF;
	RETURN QUERY SELECT CASE WHEN row.request_hash <> h THEN 'mismatch'
			WHEN row.state = 'pending' THEN 'in_flight'
			ELSE 'done' END,
		row.status, row.body, row.location, row.etag,
		row.content_type, NULL::uuid;
END
$$;
