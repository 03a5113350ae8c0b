-- stats_pipeline: the whole /stats/pipeline document. by: NULL, 'area',
-- 'industry', 'level' or 'month'; f_area restricts to one area. The total
-- and the groups come from one pass (GROUPING SETS), so the rows are read
-- once.
CREATE OR REPLACE FUNCTION stats_pipeline(y int, as_of date, known_at timestamptz,
	by text, f_area text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	total json;
	groups json;
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
			|| f.doc
			-- By area, each area's own target, if it has one.
			|| CASE WHEN by = 'area' THEN jsonb_build_object('target',
				target_progress(y, g.key, g.a,
					(f.doc->'start_rate'->>'by_count')::numeric))
			   ELSE '{}' END)::json
			ORDER BY g.key NULLS LAST), '[]')
		 FROM agg g
		 CROSS JOIN LATERAL (SELECT pipeline_figures(g.n, g.a, g.sn,
			g.sa)::jsonb AS doc) f
		 WHERE NOT g.is_total)
	INTO total, n, amt, groups;

	doc := jsonb_build_object('year', y, 'as_of', as_of,
		'known_at', known_at, 'area', f_area) || total::jsonb
		|| jsonb_build_object('target', target_progress(y, f_area, amt,
			(total->'start_rate'->>'by_count')::numeric));
	IF by IS NOT NULL THEN
		doc := doc || jsonb_build_object('by', by, 'groups', groups::jsonb);
	END IF;
	RETURN doc::json;
END
$$;
