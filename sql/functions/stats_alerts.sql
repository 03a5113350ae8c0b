-- stats_alerts: warning lights (SPEC §5) of the projects of year y
-- (signed, planned to start or planned to complete in y) that are neither
-- cancelled nor in operation, as of today. Thresholds come from the
-- configuration. Worst first; f_light keeps the projects whose worst light
-- is that colour. Lights are computed as levels (0 green, 1 yellow, 2 red)
-- for every project; the words that explain them only for the page
-- returned.
CREATE OR REPLACE FUNCTION stats_alerts(y int, f_area text, f_light text,
	start_red int, prog_yellow int, prog_red int, rep_yellow int,
	rep_red int, lim int) RETURNS json
LANGUAGE sql STABLE AS $$
WITH now_local AS MATERIALIZED (
	-- Once, not per row: the time zone conversion is the costly part.
	SELECT today_local() AS today),
base AS (
	SELECT p.id, p.seq, p.status = 'under_construction' AS building,
		p.started_on, p.completed_on, p.planned_start_on,
		p.planned_completion_on, p.progress_percent, p.last_report_on,
		n.today,
		CASE WHEN p.started_on IS NOT NULL AND p.completed_on IS NULL
			AND p.planned_completion_on > p.started_on
		THEN least(100, greatest(0, (n.today - p.started_on) * 100.0::float8
			/ (p.planned_completion_on - p.started_on))) END AS expected
	FROM projects p CROSS JOIN now_local n
	WHERE p.status NOT IN ('cancelled', 'in_operation')
	  AND (f_area IS NULL OR p.area = f_area)
	  AND (p.signed_on BETWEEN make_date(y, 1, 1) AND make_date(y, 12, 31)
	    OR p.planned_start_on BETWEEN make_date(y, 1, 1) AND make_date(y, 12, 31)
	    OR p.planned_completion_on BETWEEN make_date(y, 1, 1) AND make_date(y, 12, 31))),
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
	SELECT l.id, l.seq, l.s, l.pr, l.c, l.r, l.expected, l.today,
		(l.s = 2)::int + (l.pr = 2)::int + (l.c = 2)::int
			+ (l.r = 2)::int AS reds,
		(l.s = 1)::int + (l.pr = 1)::int + (l.c = 1)::int
			+ (l.r = 1)::int AS yellows,
		greatest(l.s, l.pr, l.c, l.r) AS worst
	FROM lit l),
page AS (
	SELECT j.*, p.name, p.area, p.status, p.started_on, p.completed_on,
		p.planned_start_on, p.planned_completion_on,
		p.progress_percent, p.last_report_on
	FROM (SELECT * FROM judged j
		WHERE f_light IS NULL OR light_name(j.worst) = f_light
		ORDER BY j.reds DESC, j.yellows DESC, j.seq LIMIT lim) j
	JOIN projects p ON p.id = j.id)
SELECT json_build_object(
	'year', y, 'area', f_area, 'as_of', today_local(),
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
		  CASE WHEN j.status <> 'under_construction' THEN 'not under construction'
		       ELSE (j.today - coalesce(j.last_report_on, j.started_on))
			|| ' days since the last site report (or the start)' END)))
		ORDER BY j.reds DESC, j.yellows DESC, j.seq) FROM page j), '[]'))
$$;
