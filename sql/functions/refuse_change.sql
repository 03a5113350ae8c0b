-- refuse_change: the trigger of the append-only tables (project_events,
-- audit_log, site_reports, site_report_photos), which refuse UPDATE, DELETE
-- and TRUNCATE for every role.
--
-- Created before the migrations (sql/functions/ORDER): their CREATE
-- TRIGGER statements need it on a fresh database.
CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
		USING ERRCODE = 'insufficient_privilege';
END
$$;
