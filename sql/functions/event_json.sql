-- event_json: the API's representation of an event; absent members are
-- left out.
--
-- With an SQL-standard body (RETURN ..., since migration 012), which
-- PostgreSQL stores parsed: see project_json.sql.
CREATE OR REPLACE FUNCTION event_json(e project_events) RETURNS json
LANGUAGE sql STABLE
RETURN json_strip_nulls(json_build_object(
	'id', e.id, 'project_id', e.project_id, 'type', e.type,
	'effective_on', e.effective_on, 'amount_yuan', e.amount_yuan,
	'kind', e.kind, 'note', e.note, 'retracts', e.retracts,
	'reason', e.reason, 'recorded_at', e.recorded_at,
	'recorded_by', e.recorded_by));
