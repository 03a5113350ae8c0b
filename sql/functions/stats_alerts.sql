-- The day (as_of) and the page (after, lim) came as arguments: the
-- function of nine goes (CREATE OR REPLACE would make a second one).
DROP FUNCTION IF EXISTS stats_alerts(int, text, text, int, int, int, int,
	int, int);
-- stats_alerts: warning lights (SPEC §5) of the projects of year y
-- (signed, planned to start or planned to complete in y) that are not
-- cancelled and not yet in operation, on the day as_of (default today in
-- Asia/Shanghai). Thresholds come from the configuration. f_light keeps
-- the projects whose worst light is that colour.
--
-- On a day before today the lights are what the projects' dates and site
-- reports up to that day say: started and completed if their dates are
-- on or before it, the progress of the latest report on or before it (0
-- without one), reporting counted from the latest report whose position
-- is not suspect (as last_report_on is kept, sql/020); a project's status
-- of suspension or cancellation is today's (no date says when).
--
-- Worst first: most red lights, then most yellow, then registration
-- order, as one key, (4 - reds) * 5 + (4 - yellows) in the bits above
-- seq's (seq stays below 2^56), so that the page after the cursor (the
-- key of the last item) is a single comparison. The answer's next_key is
-- the key of the page's last item when another page follows, else null.
-- Lights are computed as levels (0 green, 1 yellow, 2 red) for every
-- project; the words that explain them only for the page returned.
CREATE OR REPLACE FUNCTION stats_alerts(y int, f_area text, f_light text,
	start_red int, prog_yellow int, prog_red int, rep_yellow int,
	rep_red int, as_of date, after bigint, lim int) RETURNS json
LANGUAGE sql STABLE AS $$
WITH now_local AS MATERIALIZED (
	-- Once, not per row: the time zone conversion is the costly part.
	SELECT coalesce(as_of, today_local()) AS today),
dated AS (
	-- The project on that day. Today's needs no report lookup.
	SELECT p.id, p.seq, p.status, n.today, p.planned_start_on,
		p.planned_completion_on,
		CASE WHEN p.started_on <= n.today THEN p.started_on END AS started_on,
		CASE WHEN p.completed_on <= n.today THEN p.completed_on END
			AS completed_on,
		CASE WHEN as_of IS NULL THEN p.progress_percent
			ELSE coalesce((SELECT r.progress_percent FROM site_reports r
				WHERE r.project_id = p.id AND r.reported_on <= n.today
				ORDER BY r.reported_on DESC, r.seq DESC LIMIT 1), 0)
			END AS progress_percent,
		CASE WHEN as_of IS NULL THEN p.last_report_on
			ELSE (SELECT max(r.reported_on) FROM site_reports r
				WHERE r.project_id = p.id AND r.reported_on <= n.today
				AND NOT r.position_suspect)
			END AS last_report_on
	FROM projects p CROSS JOIN now_local n
	WHERE p.status <> 'cancelled'
	  AND (p.operating_on IS NULL OR p.operating_on > n.today)
	  AND (f_area IS NULL OR p.area = f_area)
	  AND (p.signed_on BETWEEN make_date(y, 1, 1) AND make_date(y, 12, 31)
	    OR p.planned_start_on BETWEEN make_date(y, 1, 1) AND make_date(y, 12, 31)
	    OR p.planned_completion_on BETWEEN make_date(y, 1, 1) AND make_date(y, 12, 31))),
base AS (
	SELECT d.*,
		d.started_on IS NOT NULL AND d.completed_on IS NULL
			AND d.status <> 'suspended' AS building,
		CASE WHEN d.started_on IS NOT NULL AND d.completed_on IS NULL
			AND d.planned_completion_on > d.started_on
		THEN least(100, greatest(0, (d.today - d.started_on) * 100.0::float8
			/ (d.planned_completion_on - d.started_on))) END AS expected
	FROM dated d),
lit AS (
	SELECT b.*,
	CASE WHEN b.started_on IS NOT NULL OR b.planned_start_on IS NULL
		OR b.planned_start_on >= b.today THEN 0
	     WHEN b.today - b.planned_start_on <= start_red THEN 1 ELSE 2 END AS s,
	CASE WHEN b.expected IS NULL OR b.expected - b.progress_percent < prog_yellow THEN 0
	     WHEN b.expected - b.progress_percent <= prog_red THEN 1 ELSE 2 END AS pr,
	CASE WHEN b.completed_on IS NOT NULL OR b.planned_completion_on IS NULL
		OR b.planned_completion_on >= b.today THEN 0
	     WHEN b.today - b.planned_completion_on <= start_red THEN 1 ELSE 2 END AS c,
	CASE WHEN NOT b.building THEN 0
	     WHEN b.today - coalesce(b.last_report_on, b.started_on) >= rep_red THEN 2
	     WHEN b.today - coalesce(b.last_report_on, b.started_on) >= rep_yellow THEN 1
	     ELSE 0 END AS r
	FROM base b),
judged AS (
	SELECT l.*,
		(l.s = 2)::int + (l.pr = 2)::int + (l.c = 2)::int
			+ (l.r = 2)::int AS reds,
		(l.s = 1)::int + (l.pr = 1)::int + (l.c = 1)::int
			+ (l.r = 1)::int AS yellows,
		greatest(l.s, l.pr, l.c, l.r) AS worst
	FROM lit l),
keyed AS (
	SELECT j.*, ((4 - j.reds) * 5 + (4 - j.yellows))::bigint
		* 72057594037927936 + j.seq AS key
	FROM judged j
	WHERE f_light IS NULL OR light_name(j.worst) = f_light),
page AS (
	-- One row past the page says that another follows.
	SELECT k.*, p.name, p.area, row_number() OVER (ORDER BY k.key) AS n
	FROM (SELECT * FROM keyed k WHERE k.key > after
		ORDER BY k.key LIMIT lim + 1) k
	JOIN projects p ON p.id = k.id)
SELECT json_build_object(
	'year', y, 'area', f_area, 'as_of', (SELECT today FROM now_local),
	'next_key', (SELECT k.key FROM page k WHERE k.n = lim
		AND EXISTS (SELECT FROM page m WHERE m.n > lim)),
	'counts', (SELECT json_build_object(
		'red', count(*) FILTER (WHERE worst = 2),
		'yellow', count(*) FILTER (WHERE worst = 1),
		'green', count(*) FILTER (WHERE worst = 0)) FROM judged),
	'items', coalesce((SELECT json_agg(json_build_object(
		'project_id', j.id, 'name', j.name, 'area', j.area,
		'status', j.status, 'worst', light_name(j.worst),
		'lights', json_build_object(
		'start', json_build_object('light', light_name(j.s), 'reason',
		  CASE WHEN j.started_on IS NOT NULL THEN 'started on ' || j.started_on
		       WHEN j.planned_start_on IS NULL THEN 'no planned start date'
		       WHEN j.planned_start_on >= j.today THEN 'start not yet due (' || j.planned_start_on || ')'
		       ELSE 'planned start ' || j.planned_start_on || ' passed '
			|| (j.today - j.planned_start_on) || ' days ago without a start' END),
		'progress', json_build_object('light', light_name(j.pr), 'reason',
		  CASE WHEN j.expected IS NULL THEN 'not under way, or no planned completion'
		       ELSE 'progress ' || j.progress_percent || '% against ' || round(j.expected)
			|| '% expected on the straight line to ' || j.planned_completion_on END),
		'completion', json_build_object('light', light_name(j.c), 'reason',
		  CASE WHEN j.completed_on IS NOT NULL THEN 'completed on ' || j.completed_on
		       WHEN j.planned_completion_on IS NULL THEN 'no planned completion date'
		       WHEN j.planned_completion_on >= j.today THEN 'completion not yet due (' || j.planned_completion_on || ')'
		       ELSE 'planned completion ' || j.planned_completion_on || ' passed '
			|| (j.today - j.planned_completion_on) || ' days ago' END),
		'reporting', json_build_object('light', light_name(j.r), 'reason',
		  CASE WHEN NOT j.building THEN 'not under construction'
		       ELSE (j.today - coalesce(j.last_report_on, j.started_on))
			|| ' days since the last site report (or the start)' END)))
		ORDER BY j.key) FROM page j WHERE j.n <= lim), '[]'))
$$;
