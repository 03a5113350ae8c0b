-- rate_lease: up to want tokens from principal p's bucket (sql/017),
-- refilled at rate a second up to burst. granted is how many it gave
-- (0 when the bucket holds less than one); wait_s, when it gave none,
-- the seconds until one is there. The row is locked for the statement,
-- so instances that lease at once are served one after the other and
-- never grant the same token twice.
CREATE OR REPLACE FUNCTION rate_lease(p text, rate double precision,
	burst double precision, want int, OUT granted int, OUT wait_s int)
LANGUAGE plpgsql AS $$
DECLARE
	t double precision;
	now_ts timestamptz;
BEGIN
	INSERT INTO rate_buckets VALUES (p, burst, clock_timestamp())
	ON CONFLICT (principal_id) DO NOTHING;
	SELECT b.tokens, b.at INTO t, now_ts FROM rate_buckets b
	WHERE b.principal_id = p FOR UPDATE;
	t := least(burst, t + rate * greatest(0,
		extract(epoch FROM clock_timestamp() - now_ts)));
	now_ts := clock_timestamp();
	granted := least(want, floor(t))::int;
	t := t - granted;
	UPDATE rate_buckets SET tokens = t, at = now_ts WHERE principal_id = p;
	wait_s := CASE WHEN granted > 0 THEN 0
		ELSE ceil((1 - t) / rate)::int END;
END $$;
