-- 012: the small SQL functions that queries inline, with SQL-standard
-- bodies (RETURN ...), which PostgreSQL stores parsed.
--
-- A function written as a string is parsed and analysed again each time a
-- query that inlines it is planned. A page of projects is planned for its
-- filters on every call, and parsing project_json's body was a third of
-- that planning; a stored body is only read back. Same expressions, same
-- results; the bodies now also depend on the columns they use, so a column
-- cannot be dropped from under them.
CREATE OR REPLACE FUNCTION today_local() RETURNS date
LANGUAGE sql STABLE
RETURN (now() AT TIME ZONE 'Asia/Shanghai')::date;

CREATE OR REPLACE FUNCTION project_json(p projects) RETURNS json
LANGUAGE sql STABLE
RETURN json_build_object(
	'id', p.id, 'code', p.code, 'name', p.name, 'area', p.area,
	'industry', p.industry, 'owner', p.owner, 'park', p.park,
	'level', p.level, 'funding', p.funding,
	'total_investment_yuan', p.total_investment_yuan,
	'signed_amount_yuan', p.signed_amount_yuan,
	'planned_start_on', p.planned_start_on,
	'planned_completion_on', p.planned_completion_on,
	'progress_percent', p.progress_percent,
	'status', p.status, 'signed_on', p.signed_on,
	'started_on', p.started_on, 'completed_on', p.completed_on,
	'operating_on', p.operating_on,
	'last_report_on', p.last_report_on, 'version', p.version,
	'created_at', p.created_at, 'updated_at', p.updated_at);

CREATE OR REPLACE FUNCTION event_json(e project_events) RETURNS json
LANGUAGE sql STABLE
RETURN json_strip_nulls(json_build_object(
	'id', e.id, 'project_id', e.project_id, 'type', e.type,
	'effective_on', e.effective_on, 'amount_yuan', e.amount_yuan,
	'kind', e.kind, 'note', e.note, 'retracts', e.retracts,
	'reason', e.reason, 'recorded_at', e.recorded_at,
	'recorded_by', e.recorded_by));

-- STABLE like to_char, so that it is inlined.
CREATE OR REPLACE FUNCTION group_key(by text, area text, industry text,
	level text, signed_on date) RETURNS text
LANGUAGE sql STABLE
RETURN CASE by WHEN 'area' THEN area WHEN 'industry' THEN industry
	WHEN 'level' THEN level
	WHEN 'month' THEN to_char(signed_on, 'YYYY-MM') END;

CREATE OR REPLACE FUNCTION pipeline_figures(n bigint, amount numeric,
	sn bigint, samount numeric) RETURNS json
LANGUAGE sql IMMUTABLE
RETURN json_build_object(
	'signed', json_build_object('count', n, 'amount_yuan', amount),
	'signed_and_started', json_build_object('count', sn,
		'amount_yuan', samount),
	'start_rate', json_build_object(
		'by_count', CASE WHEN n > 0 THEN round(sn::numeric / n, 4) END,
		'by_amount', CASE WHEN amount > 0
			THEN round(samount / amount, 4) END));

CREATE OR REPLACE FUNCTION light_name(level int) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN (ARRAY['green', 'yellow', 'red'])[level + 1];
