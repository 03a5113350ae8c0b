-- Projects for the history rows of make bench: :n with 10,000 events each,
-- valid by the rules (a signing, a start, 2,000 suspensions each resumed
-- the next day, 5,998 approvals; the latest dated in 2023) and with the
-- derived fields those give, and :n fresh ones without any event.
BEGIN;
CREATE TEMPORARY TABLE long_history AS
SELECT gen_random_uuid() AS id, g FROM generate_series(1, :n) g;
INSERT INTO projects (id, name, area, funding, status, signed_on,
	signed_amount_yuan, started_on)
SELECT id, '长历史项目' || g, '140821', 'enterprise', 'under_construction',
	DATE '2010-01-04', 500000000, DATE '2010-03-01'
FROM long_history;
INSERT INTO project_events (id, project_id, type, effective_on, amount_yuan,
	kind, recorded_at, recorded_by)
SELECT gen_random_uuid(), h.id, x.type, x.d, x.amount, x.kind,
	x.d + time '12:00', 'bench'
FROM long_history h CROSS JOIN (
	SELECT 1 AS n, 'signed' AS type, DATE '2010-01-04' AS d,
		500000000::bigint AS amount, NULL::text AS kind
	UNION ALL SELECT 2, 'started', DATE '2010-03-01', NULL, NULL
	UNION ALL SELECT 2 + g, CASE g % 2 WHEN 1 THEN 'suspended'
		ELSE 'resumed' END, DATE '2010-03-01' + g, NULL, NULL
	FROM generate_series(1, 4000) g
	UNION ALL SELECT 4002 + g, 'approval', DATE '2021-06-01' + g % 900,
		NULL, (ARRAY['filing', 'land', 'planning', 'environment',
		'energy', 'construction_permit'])[1 + g % 6]
	FROM generate_series(1, 5998) g) x
ORDER BY h.g, x.n;
INSERT INTO projects (id, name, area, funding)
SELECT gen_random_uuid(), '新项目' || g, '140821', 'enterprise'
FROM generate_series(1, :n) g;
COMMIT;
VACUUM ANALYZE projects;
VACUUM ANALYZE project_events;
