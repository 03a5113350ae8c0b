-- Benchmark data: :projects projects, each with its events, derived
-- fields consistent with them (as the service writes them). Run with
-- psql -v projects=N -v year=Y. A third are signed in :year, two thirds of
-- those started in :year; the others are older, planned or government.
BEGIN;
INSERT INTO projects (id, name, area, industry, level, funding,
	total_investment_yuan, planned_start_on, planned_completion_on,
	progress_percent, status, signed_on, signed_amount_yuan, started_on)
SELECT gen_random_uuid(),
	'基准项目' || g || (ARRAY['机场', '钢铁', '医药', '电站', '果品'])[1 + g % 5],
	(SELECT code FROM areas WHERE code <> '140800' ORDER BY code
		OFFSET g % 13 LIMIT 1),
	(ARRAY['高端装备制造', '新能源汽车', '新材料', '生物医药', '能源'])[1 + g % 5],
	(ARRAY['provincial', 'municipal', 'county', NULL])[1 + g % 4],
	CASE WHEN g % 10 = 0 THEN 'government' ELSE 'enterprise' END,
	200000000 + g % 1000 * 1000000,
	make_date(:year, 1, 1) + g % 300, make_date(:year + 1, 6, 30),
	g % 100,
	CASE WHEN g % 3 = 0 AND g % 9 <> 0 THEN 'under_construction'
	     WHEN g % 3 = 0 THEN 'signed'
	     WHEN g % 3 = 1 THEN 'under_construction' ELSE 'planned' END,
	CASE WHEN g % 3 = 0 THEN make_date(:year, 1, 1) + g % 200
	     WHEN g % 3 = 1 THEN make_date(:year - 1, 1, 1) + g % 300 END,
	CASE WHEN g % 3 <> 2 THEN 100000000 + g % 997 * 1000000 END,
	CASE WHEN g % 3 = 0 AND g % 9 <> 0 THEN make_date(:year, 1, 1) + g % 200 + 30
	     WHEN g % 3 = 1 THEN make_date(:year - 1, 1, 1) + g % 300 + 20 END
FROM generate_series(1, :projects) AS g;

INSERT INTO project_events (id, project_id, type, effective_on, amount_yuan,
	recorded_at, recorded_by)
SELECT gen_random_uuid(), id, 'signed', signed_on, signed_amount_yuan,
	signed_on + time '12:00', 'bench'
FROM projects WHERE signed_on IS NOT NULL;
INSERT INTO project_events (id, project_id, type, effective_on, recorded_at,
	recorded_by)
SELECT gen_random_uuid(), id, 'started', started_on, started_on + time '12:00',
	'bench'
FROM projects WHERE started_on IS NOT NULL;
INSERT INTO project_events (id, project_id, type, effective_on, kind,
	recorded_at, recorded_by)
SELECT gen_random_uuid(), p.id, 'approval',
	coalesce(p.signed_on, p.planned_start_on) - k.n, k.kind,
	coalesce(p.signed_on, p.planned_start_on) - k.n + time '12:00', 'bench'
FROM projects p
CROSS JOIN (VALUES (1, 'filing'), (2, 'land'), (3, 'planning')) AS k(n, kind)
WHERE p.seq % 3 <> 2 OR k.n = 1;
COMMIT;
VACUUM ANALYZE projects;
VACUUM ANALYZE project_events;
