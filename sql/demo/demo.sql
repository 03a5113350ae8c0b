-- Demo data for `make run` (never loaded by the tests).
--
-- Every project named in section ① of the 2024 Yuncheng government work
-- report, in a plausible area, industry and state, plus generated signed
-- projects across the 13 county-level units so that the 2024 figures mean
-- something. AMOUNTS AND DATES ARE ILLUSTRATIVE, not official figures.
--
-- Events are written with their derived fields in one place (demo_project)
-- so that status and milestone dates agree with the history, as the
-- service itself guarantees for its own writes.
BEGIN;

CREATE TEMPORARY TABLE demo_audit AS SELECT json_build_object(
	'principal_id', NULL, 'principal', 'demo data', 'request_id', 'demo',
	'method', 'LOAD', 'path', 'sql/demo/demo.sql') AS a;

CREATE FUNCTION pg_temp.demo_project(p_name text, p_area text,
	p_industry text, p_funding text, p_level text, p_total bigint,
	p_signed bigint, p_signed_on date, p_started_on date,
	p_completed_on date, p_operating_on date, p_park text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	pid uuid := gen_random_uuid();
	st text := CASE WHEN p_operating_on IS NOT NULL THEN 'in_operation'
		WHEN p_completed_on IS NOT NULL THEN 'completed'
		WHEN p_started_on IS NOT NULL THEN 'under_construction'
		WHEN p_signed_on IS NOT NULL THEN 'signed'
		ELSE 'planned' END;
BEGIN
	INSERT INTO projects (id, name, area, industry, park, level, funding,
		total_investment_yuan, planned_start_on, planned_completion_on,
		status, signed_on, signed_amount_yuan, started_on,
		completed_on, operating_on, progress_percent)
	VALUES (pid, p_name, p_area, p_industry, p_park, p_level, p_funding,
		p_total, coalesce(p_started_on, p_signed_on + 60, DATE '2024-09-01'),
		coalesce(p_completed_on, coalesce(p_started_on, DATE '2024-09-01') + 540),
		st, p_signed_on, CASE WHEN p_signed_on IS NULL THEN NULL ELSE p_signed END,
		p_started_on, p_completed_on, p_operating_on,
		CASE st WHEN 'in_operation' THEN 100 WHEN 'completed' THEN 100
			WHEN 'under_construction' THEN 35 ELSE 0 END);
	IF p_signed_on IS NOT NULL THEN
		INSERT INTO project_events (id, project_id, type, effective_on,
			amount_yuan, recorded_by, recorded_at)
		VALUES (gen_random_uuid(), pid, 'signed', p_signed_on, p_signed,
			'demo data', p_signed_on + time '10:00' - interval '8 hours');
	END IF;
	INSERT INTO project_events (id, project_id, type, effective_on, kind,
		recorded_by, recorded_at)
	VALUES (gen_random_uuid(), pid, 'approval',
		coalesce(p_signed_on, p_started_on - 30, DATE '2024-03-01') + 7,
		'filing', 'demo data',
		coalesce(p_signed_on, p_started_on - 30, DATE '2024-03-01') + 8);
	IF p_started_on IS NOT NULL THEN
		INSERT INTO project_events (id, project_id, type, effective_on,
			recorded_by, recorded_at)
		VALUES (gen_random_uuid(), pid, 'started', p_started_on,
			'demo data', p_started_on + 1);
	END IF;
	IF p_completed_on IS NOT NULL THEN
		INSERT INTO project_events (id, project_id, type, effective_on,
			recorded_by, recorded_at)
		VALUES (gen_random_uuid(), pid, 'completed', p_completed_on,
			'demo data', p_completed_on + 1);
	END IF;
	IF p_operating_on IS NOT NULL THEN
		INSERT INTO project_events (id, project_id, type, effective_on,
			recorded_by, recorded_at)
		VALUES (gen_random_uuid(), pid, 'operating', p_operating_on,
			'demo data', p_operating_on + 1);
	END IF;
	PERFORM audit_write((SELECT a FROM demo_audit), 'project', pid::text,
		NULL, (SELECT project_json(p) FROM projects p WHERE id = pid)::jsonb);
END
$$;

-- The named projects (work report, section ①). Government-funded works
-- start without a signing.
SELECT count(pg_temp.demo_project(n, a, i, f, l, t, s, so, sto, co, oo, pk)) AS named_projects FROM (VALUES
 ('运城机场飞行区改扩建工程', '140800', '交通', 'government', 'provincial', 3600000000, NULL::bigint, NULL::date, DATE '2024-04-18', NULL::date, NULL::date, NULL),
 ('108国道新绛至河津段改线工程', '140825', '交通', 'government', 'provincial', 2890000000, NULL, NULL, DATE '2024-03-26', NULL, NULL, NULL),
 ('342国道闻喜至临猗段改线工程', '140823', '交通', 'government', 'provincial', 3150000000, NULL, NULL, DATE '2024-05-09', NULL, NULL, NULL),
 ('铭福钢铁产能置换改造项目', '140882', '新材料', 'enterprise', 'provincial', 12000000000, 12000000000, DATE '2024-01-16', DATE '2024-03-20', NULL, NULL, '河津经济技术开发区'),
 ('华鑫源钢铁产能置换改造项目', '140882', '新材料', 'enterprise', 'provincial', 9800000000, 9800000000, DATE '2024-02-22', DATE '2024-04-12', NULL, NULL, '河津经济技术开发区'),
 ('亚新科汽车零部件一期项目', '140802', '高端装备制造', 'enterprise', 'municipal', 1500000000, 1500000000, DATE '2024-01-10', DATE '2024-03-01', DATE '2024-11-20', DATE '2024-12-10', '运城经济技术开发区'),
 ('山西建龙钢铁产能置换项目', '140827', '新材料', 'enterprise', 'provincial', 8500000000, 8500000000, DATE '2023-11-02', DATE '2024-02-28', NULL, NULL, NULL),
 ('威顿水泥产能置换项目', '140822', '新材料', 'enterprise', 'municipal', 1200000000, 1200000000, DATE '2024-03-15', DATE '2024-05-20', NULL, NULL, NULL),
 ('华康建材绿色建材项目', '140881', '新材料', 'enterprise', 'municipal', 650000000, 650000000, DATE '2024-04-02', DATE '2024-06-18', NULL, NULL, NULL),
 ('永东化工新材料项目', '140825', '新材料', 'enterprise', 'municipal', 900000000, 900000000, DATE '2024-02-05', DATE '2024-04-25', NULL, NULL, '新绛经济技术开发区'),
 ('蓝科锂电隔膜提标改造项目', '140821', '新能源汽车', 'enterprise', 'municipal', 780000000, 780000000, DATE '2024-03-08', DATE '2024-05-06', DATE '2024-10-30', DATE '2024-11-15', '临猗经济技术开发区'),
 ('宏光高品质医玻项目', '140802', '生物医药', 'enterprise', 'municipal', 520000000, 520000000, DATE '2024-05-17', DATE '2024-07-02', NULL, NULL, '运城经济技术开发区'),
 ('朗致小容量注射剂项目', '140802', '生物医药', 'enterprise', 'municipal', 430000000, 430000000, DATE '2024-06-11', NULL, NULL, NULL, '运城经济技术开发区'),
 ('博翔汇良高纯石墨项目', '140824', '新材料', 'enterprise', 'municipal', 1100000000, 1100000000, DATE '2024-04-22', DATE '2024-06-30', NULL, NULL, '稷山经济技术开发区'),
 ('宏达钢铁薄带铸轧项目', '140882', '新材料', 'enterprise', 'provincial', 4200000000, 4200000000, DATE '2024-05-28', DATE '2024-08-15', NULL, NULL, NULL),
 ('瑞格金属铝基中间合金项目', '140829', '新材料', 'enterprise', 'county', 360000000, 360000000, DATE '2024-07-09', NULL, NULL, NULL, NULL),
 ('山楂树下果汁饮料项目', '140821', '农产品加工', 'enterprise', 'county', 300000000, 300000000, DATE '2024-03-19', DATE '2024-05-15', NULL, NULL, NULL),
 ('金万佳果品加工项目', '140830', '农产品加工', 'enterprise', 'county', 220000000, 220000000, DATE '2024-08-06', DATE '2024-10-10', NULL, NULL, NULL),
 ('尊村引黄灌区现代化改造项目', '140881', '农业水利', 'government', 'provincial', 1380000000, NULL, NULL, DATE '2024-04-01', NULL, NULL, NULL),
 ('垣曲抽水蓄能电站二期项目', '140827', '能源', 'enterprise', 'provincial', 8900000000, 8900000000, DATE '2024-06-20', NULL, NULL, NULL, NULL),
 ('绛县抽水蓄能电站项目', '140826', '能源', 'enterprise', 'provincial', 8200000000, 8200000000, DATE '2024-02-27', DATE '2024-09-26', NULL, NULL, NULL),
 ('夏县奥特莱斯项目', '140828', '文旅', 'enterprise', 'municipal', 1600000000, 1600000000, DATE '2024-07-23', NULL, NULL, NULL, NULL),
 ('运城市民服务中心项目', '140800', '公共服务', 'government', 'municipal', 1250000000, NULL, NULL, DATE '2024-06-06', NULL, NULL, NULL)
) AS named(n, a, i, f, l, t, s, so, sto, co, oo, pk);

-- Generated signings across the 13 county-level units: about 560 in
-- 2024, about 70% of them started in 2024, some in 2023 for comparison.
SELECT count(pg_temp.demo_project(
	'示例项目' || g || '号（' || ar.name || '）', ar.code,
	(ARRAY['高端装备制造', '新能源汽车', '新材料', '生物医药', '能源',
	       '农产品加工', '文旅'])[1 + g % 7],
	'enterprise', (ARRAY['municipal', 'county', NULL])[1 + g % 3],
	amt * 2, amt, so,
	CASE WHEN g % 10 < 7 AND so + 45 + g % 60 <= DATE '2024-12-31'
	     THEN so + 45 + g % 60 END,
	NULL, NULL)) AS generated_projects
FROM generate_series(1, 640) AS g
CROSS JOIN LATERAL (SELECT code, name FROM areas WHERE code <> '140800'
	ORDER BY code OFFSET g % 13 LIMIT 1) AS ar
CROSS JOIN LATERAL (SELECT (100000000 + ((g * 7919) % 700) * 1000000)::bigint AS amt,
	CASE WHEN g <= 80 THEN DATE '2023-01-05' + (g * 4) % 355
	     ELSE DATE '2024-01-03' + (g * 13) % 340 END AS so) AS x;

COMMIT;
