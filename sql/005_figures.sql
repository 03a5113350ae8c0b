-- 005: the figures (SPEC §5): targets, the pipeline statistics and the
-- warning lights. All are computed from the events' standing results: the
-- current figures read the derived columns (kept equal to the events in
-- the same transaction as each event), the figures as known at a past
-- time read the events themselves.

CREATE TABLE targets (
	year               integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
	area               text REFERENCES areas (code), -- NULL: the city
	signed_amount_yuan bigint NOT NULL
		CHECK (signed_amount_yuan BETWEEN 0 AND 1000000000000000),
	start_rate         numeric(5, 4) NOT NULL CHECK (start_rate BETWEEN 0 AND 1)
);
CREATE UNIQUE INDEX targets_year_area ON targets (year, coalesce(area, ''));

INSERT INTO targets (year, area, signed_amount_yuan, start_rate)
VALUES (2024, NULL, 300000000000, 0.60);


-- The current figures read the derived columns through this index
-- alone (an index-only scan once the visibility map is set).
CREATE INDEX projects_figures ON projects (signed_on)
	INCLUDE (signed_amount_yuan, started_on, area, industry, level, id);

-- What was recorded after a time: the projects whose standing may differ
-- from what was known then.
CREATE INDEX project_events_recorded ON project_events (recorded_at)
	INCLUDE (project_id);

-- The key a project is grouped under (by: area, industry, level, month
-- of signing, or NULL for no grouping).
CREATE FUNCTION group_key(by text, area text, industry text, level text,
	signed_on date) RETURNS text
LANGUAGE sql STABLE AS $$ -- STABLE like to_char, so that it is inlined
	SELECT CASE by WHEN 'area' THEN area WHEN 'industry' THEN industry
		WHEN 'level' THEN level
		WHEN 'month' THEN to_char(signed_on, 'YYYY-MM') END
$$;

-- The projects counted as signed in year y by as_of, as known at
-- known_at (NULL: now): one row each with the signed amount, whether they
-- also started in y by as_of, and the grouping key (by: area, industry,
-- level, month or NULL). f_area keeps one area.
CREATE FUNCTION pipeline_rows(y int, as_of date, known_at timestamptz,
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

CREATE FUNCTION pipeline_figures(n bigint, amount numeric, sn bigint,
	samount numeric) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
	SELECT json_build_object(
		'signed', json_build_object('count', n, 'amount_yuan', amount),
		'signed_and_started', json_build_object('count', sn,
			'amount_yuan', samount),
		'start_rate', json_build_object(
			'by_count', CASE WHEN n > 0 THEN round(sn::numeric / n, 4) END,
			'by_amount', CASE WHEN amount > 0
				THEN round(samount / amount, 4) END))
$$;

-- The whole /stats/pipeline document. by: NULL, 'area', 'industry',
-- 'level' or 'month'; f_area restricts to one area. The total and the
-- groups come from one pass (GROUPING SETS), so the rows are read once.
CREATE FUNCTION stats_pipeline(y int, as_of date, known_at timestamptz,
	by text, f_area text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	total json;
	groups json;
	t targets;
	n bigint; amt numeric;
	doc jsonb;
BEGIN
	WITH counted AS (
		SELECT * FROM pipeline_rows(y, as_of, known_at, by, f_area)),
	agg AS (
		SELECT grouping(c.key) = 1 AS is_total, c.key,
			count(*) AS n, coalesce(sum(c.amount), 0) AS a,
			count(*) FILTER (WHERE c.started) AS sn,
			coalesce(sum(c.amount) FILTER (WHERE c.started), 0) AS sa
		FROM counted c GROUP BY GROUPING SETS ((), (c.key)))
	SELECT
		(SELECT pipeline_figures(g.n, g.a, g.sn, g.sa) FROM agg g
			WHERE g.is_total),
		(SELECT g.n FROM agg g WHERE g.is_total),
		(SELECT g.a FROM agg g WHERE g.is_total),
		(SELECT coalesce(json_agg((jsonb_build_object('key', g.key,
			'name', (SELECT a.name FROM areas a
				WHERE by = 'area' AND a.code = g.key))
			|| pipeline_figures(g.n, g.a, g.sn, g.sa)::jsonb)::json
			ORDER BY g.key NULLS LAST), '[]')
		 FROM agg g WHERE NOT g.is_total)
	INTO total, n, amt, groups;

	SELECT * INTO t FROM targets WHERE year = y
		AND coalesce(area, '') = coalesce(f_area, '');
	doc := jsonb_build_object('year', y, 'as_of', as_of,
		'known_at', known_at, 'area', f_area) || total::jsonb
		|| jsonb_build_object('target', CASE WHEN t.year IS NULL THEN NULL
			ELSE jsonb_build_object(
			'signed_amount_yuan', t.signed_amount_yuan,
			'start_rate', t.start_rate,
			'signed_amount_progress', CASE WHEN t.signed_amount_yuan > 0
				THEN round(amt / t.signed_amount_yuan, 4) END,
			'start_rate_progress', CASE WHEN t.start_rate > 0 AND n > 0
				THEN round(((total->'start_rate'->>'by_count')::numeric)
					/ t.start_rate, 4) END)
			END);
	IF by IS NOT NULL THEN
		doc := doc || jsonb_build_object('by', by, 'groups', groups::jsonb);
	END IF;
	RETURN doc::json;
END
$$;

-- Targets of a year: the city's and the areas'.
CREATE FUNCTION targets_json(y int) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_build_object(
		'year', y,
		'signed_amount_yuan', max(signed_amount_yuan) FILTER (WHERE area IS NULL),
		'start_rate', max(start_rate) FILTER (WHERE area IS NULL),
		'areas', coalesce(json_agg(json_build_object('area', area,
			'signed_amount_yuan', signed_amount_yuan,
			'start_rate', start_rate) ORDER BY area)
			FILTER (WHERE area IS NOT NULL), '[]')) END
	FROM targets WHERE year = y
$$;

-- Replaces a year's targets; doc as targets_json gives them.
CREATE FUNCTION targets_put(y int, doc json, audit json) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	before json := targets_json(y);
	after json;
BEGIN
	DELETE FROM targets WHERE year = y;
	INSERT INTO targets (year, area, signed_amount_yuan, start_rate)
	VALUES (y, NULL, (doc->>'signed_amount_yuan')::bigint,
		(doc->>'start_rate')::numeric);
	INSERT INTO targets (year, area, signed_amount_yuan, start_rate)
	SELECT y, x.area, x.signed_amount_yuan, x.start_rate
	FROM json_to_recordset(coalesce(doc->'areas', '[]'))
		AS x(area text, signed_amount_yuan bigint, start_rate numeric);
	after := targets_json(y);
	PERFORM audit_write(audit, 'targets', y::text, before::jsonb,
		after::jsonb);
	RETURN after;
END
$$;

-- Warning lights (SPEC §5) of the projects of year y (signed, planned to
-- start or planned to complete in y) that are neither cancelled nor in
-- operation, as of today. Thresholds come from the configuration. Worst
-- first; f_light keeps the projects whose worst light is that colour.
-- Lights are computed as levels (0 green, 1 yellow, 2 red) for every
-- project; the words that explain them only for the page returned.
CREATE FUNCTION light_name(level int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT (ARRAY['green', 'yellow', 'red'])[level + 1]
$$;

CREATE FUNCTION stats_alerts(y int, f_area text, f_light text,
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
