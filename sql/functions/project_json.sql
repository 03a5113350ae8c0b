-- project_json: the API's representation of a project, in one place.
--
-- With an SQL-standard body (RETURN ..., since migration 012), which
-- PostgreSQL stores parsed. A function written as a string is parsed and
-- analysed again each time a query that inlines it is planned. A page of
-- projects is planned for its filters on every call, and parsing
-- project_json's body was a third of that planning; a stored body is only
-- read back. The body also depends on the columns it uses, so a column
-- cannot be dropped from under it. The same holds for the other small
-- functions that queries inline: today_local, event_json, group_key,
-- pipeline_figures and light_name.
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
