-- Benchmark data for make bench (100,000 projects) and make bench-figures
-- (1,000,000 projects, about 5,000,000 events, 100,000 signed in :year).
-- One project in ten is signed in :year (half of those also started in
-- it), half are signed in earlier years,
-- the rest are planned. Every project has four approval milestones. One
-- signing in a hundred of :year is retracted in the following spring and
-- signed again, so that known_at has corrections to roll back.
BEGIN;
INSERT INTO projects (id, name, area, industry, level, funding,
	total_investment_yuan, planned_start_on, planned_completion_on,
	progress_percent, status, signed_on, signed_amount_yuan, started_on)
SELECT gen_random_uuid(), '图表项目' || g,
	(ARRAY['140802', '140821', '140822', '140823', '140824', '140825',
	       '140826', '140827', '140828', '140829', '140830', '140881',
	       '140882'])[1 + g % 13],
	(ARRAY['高端装备制造', '新能源汽车', '新材料', '生物医药', '能源'])[1 + g % 5],
	(ARRAY['provincial', 'municipal', 'county', NULL])[1 + g % 4],
	'enterprise', 300000000, make_date(:year, 1, 1) + g % 330,
	make_date(:year + 1, 12, 31), g % 100,
	CASE WHEN g % 10 = 0 AND g % 20 = 0 THEN 'under_construction'
	     WHEN g % 10 = 0 THEN 'signed'
	     WHEN g % 10 <= 5 THEN 'under_construction' ELSE 'planned' END,
	CASE WHEN g % 10 = 0 THEN make_date(:year, 1, 1) + g % 300
	     WHEN g % 10 <= 5 THEN make_date(:year - 1 - g % 3, 1, 1) + g % 300 END,
	CASE WHEN g % 10 <= 5 THEN 100000000 + g % 997 * 1000000 END,
	CASE WHEN g % 20 = 0 THEN make_date(:year, 1, 1) + g % 300 + 40
	     WHEN g % 10 BETWEEN 1 AND 5 THEN make_date(:year - 1 - g % 3, 1, 1) + g % 300 + 30 END
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
	make_date(:year - 3, 1, 1) + k.n * 30 + (p.seq % 30)::int, k.kind,
	make_date(:year - 3, 1, 1) + k.n * 30 + (p.seq % 30)::int + time '12:00', 'bench'
FROM projects p
CROSS JOIN (VALUES (1, 'filing'), (2, 'land'), (3, 'planning'),
	(4, 'environment')) AS k(n, kind);

-- Corrections recorded the next spring: the old signing retracted, a new
-- one with another amount. The derived columns follow the new signing.
CREATE TEMPORARY TABLE corrected AS
SELECT e.id AS event_id, e.project_id, e.effective_on
FROM project_events e JOIN projects p ON p.id = e.project_id
WHERE e.type = 'signed' AND p.signed_on >= make_date(:year, 1, 1)
  AND p.seq % 1000 = 0;
INSERT INTO project_events (id, project_id, type, effective_on, retracts,
	reason, recorded_at, recorded_by)
SELECT gen_random_uuid(), project_id, 'retraction', make_date(:year + 1, 3, 1),
	event_id, 'amount corrected', make_date(:year + 1, 3, 1) + time '09:00',
	'bench'
FROM corrected;
INSERT INTO project_events (id, project_id, type, effective_on, amount_yuan,
	recorded_at, recorded_by)
SELECT gen_random_uuid(), project_id, 'signed', effective_on, 555000000,
	make_date(:year + 1, 3, 1) + time '09:05', 'bench'
FROM corrected;
UPDATE projects p SET signed_amount_yuan = 555000000
FROM corrected c WHERE c.project_id = p.id;
COMMIT;
VACUUM ANALYZE projects;
VACUUM ANALYZE project_events;
