-- pipeline_rows: the projects counted as signed in year y by as_of, as
-- known at known_at (NULL: now): one row each with the signed amount,
-- whether they also started in y by as_of, and the grouping key (by: area,
-- industry, level, month or NULL). f_area keeps one area.
--
-- The current figures read the derived columns (kept equal to the events
-- in the same transaction as each event); the figures as known at a past
-- time read the events themselves (SPEC §5).
CREATE OR REPLACE FUNCTION pipeline_rows(y int, as_of date, known_at timestamptz,
	by text, f_area text)
RETURNS TABLE (amount bigint, started boolean, key text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	y0 date := make_date(y, 1, 1);
	y1 date := least(make_date(y, 12, 31), as_of);
BEGIN
	IF known_at IS NULL THEN
		RETURN QUERY
		SELECT p.signed_amount_yuan,
			coalesce(p.started_on BETWEEN y0 AND y1, false),
			group_key(by, p.area, p.industry, p.level, p.signed_on)
		FROM projects p
		WHERE p.signed_on BETWEEN y0 AND y1
		  AND (f_area IS NULL OR p.area = f_area);
		RETURN;
	END IF;
	-- A project with nothing recorded after known_at stands now as it
	-- stood then, so its derived columns answer for it; only the projects
	-- changed since are replayed from their events as known then.
	RETURN QUERY
	WITH changed AS MATERIALIZED (
		SELECT DISTINCT e.project_id FROM project_events e
		WHERE e.recorded_at > known_at),
	standing AS (
		SELECT e.project_id, e.type, e.effective_on, e.amount_yuan
		FROM changed c JOIN project_events e ON e.project_id = c.project_id
		WHERE e.type IN ('signed', 'started')
		  AND e.effective_on BETWEEN y0 AND y1
		  AND e.recorded_at <= known_at
		  AND NOT EXISTS (SELECT 1 FROM project_events r
			WHERE r.type = 'retraction' AND r.retracts = e.id
			  AND r.recorded_at <= known_at)),
	per AS (
		SELECT s.project_id,
			max(s.amount_yuan) FILTER (WHERE s.type = 'signed') AS amount,
			min(s.effective_on) FILTER (WHERE s.type = 'signed') AS signed_on,
			bool_or(s.type = 'started') AS started
		FROM standing s GROUP BY s.project_id
		HAVING bool_or(s.type = 'signed'))
	SELECT per.amount, per.started,
		group_key(by, p.area, p.industry, p.level, per.signed_on)
	FROM per JOIN projects p ON p.id = per.project_id
	WHERE f_area IS NULL OR p.area = f_area
	UNION ALL
	SELECT p.signed_amount_yuan,
		coalesce(p.started_on BETWEEN y0 AND y1, false),
		group_key(by, p.area, p.industry, p.level, p.signed_on)
	FROM projects p
	WHERE p.signed_on BETWEEN y0 AND y1
	  AND (f_area IS NULL OR p.area = f_area)
	  AND NOT EXISTS (SELECT 1 FROM changed c WHERE c.project_id = p.id);
END
$$;
