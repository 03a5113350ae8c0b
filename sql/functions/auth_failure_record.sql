-- auth_failure_record: one more failed authentication from address a; the
-- address's level afterwards, leaking at per_minute a minute (sql/017).
-- Now and then (one call in a hundred) it deletes the rows that have
-- leaked to nothing, so that addresses which once failed do not pile up.
CREATE OR REPLACE FUNCTION auth_failure_record(a text, per_minute int)
RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
	lvl double precision;
BEGIN
	INSERT INTO auth_failures AS f VALUES (a, 1, clock_timestamp())
	ON CONFLICT (addr) DO UPDATE SET
		level = greatest(0, f.level - per_minute / 60.0 *
			extract(epoch FROM clock_timestamp() - f.at)) + 1,
		at = clock_timestamp()
	RETURNING f.level INTO lvl;
	IF random() < 0.01 THEN
		DELETE FROM auth_failures WHERE at < clock_timestamp() -
			make_interval(secs => 60.0 * greatest(1, level) / per_minute);
	END IF;
	RETURN lvl;
END $$;
