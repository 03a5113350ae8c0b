-- 008: site reports from field inspectors: dated, geolocated, with
-- progress and photos. Append-only like the events; the latest report
-- sets the project's progress and last_report_on in the same transaction.
-- report_json and report_create are in sql/functions/.
CREATE TABLE site_reports (
	id               uuid PRIMARY KEY,
	seq              bigserial NOT NULL UNIQUE,
	project_id       uuid NOT NULL REFERENCES projects (id),
	reported_on      date NOT NULL,
	latitude         double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
	longitude        double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
	progress_percent smallint NOT NULL CHECK (progress_percent BETWEEN 0 AND 100),
	note             text,
	recorded_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
	recorded_by      text
);
CREATE INDEX site_reports_project ON site_reports (project_id, seq);

CREATE TABLE site_report_photos (
	report_id    uuid NOT NULL REFERENCES site_reports (id),
	n            smallint NOT NULL,
	content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
	sha256       text NOT NULL,
	bytes        bytea NOT NULL,
	PRIMARY KEY (report_id, n)
);

-- refuse_change(): sql/functions/refuse_change.sql.
CREATE TRIGGER site_reports_append_only BEFORE UPDATE OR DELETE ON site_reports
	FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER site_report_photos_append_only BEFORE UPDATE OR DELETE
	ON site_report_photos FOR EACH ROW EXECUTE FUNCTION refuse_change();
