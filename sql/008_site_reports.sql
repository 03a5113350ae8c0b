-- 008: site reports from field inspectors: dated, geolocated, with
-- progress and photos. Append-only like the events; the latest report
-- sets the project's progress and last_report_on in the same transaction.
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

CREATE TRIGGER site_reports_append_only BEFORE UPDATE OR DELETE ON site_reports
	FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER site_report_photos_append_only BEFORE UPDATE OR DELETE
	ON site_report_photos FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE FUNCTION report_json(r site_reports) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', r.id, 'project_id', r.project_id,
		'reported_on', r.reported_on, 'latitude', r.latitude,
		'longitude', r.longitude, 'progress_percent', r.progress_percent,
		'note', r.note, 'recorded_at', r.recorded_at,
		'recorded_by', r.recorded_by,
		'photos', coalesce((SELECT json_agg(json_build_object('n', p.n,
			'content_type', p.content_type, 'sha256', p.sha256,
			'size', length(p.bytes)) ORDER BY p.n)
			FROM site_report_photos p WHERE p.report_id = r.id), '[]'))
$$;

-- doc: reported_on, latitude, longitude, progress_percent, note, and
-- photos [{content_type, data (base64)}]. NULL when the project is gone.
CREATE FUNCTION report_create(pid uuid, doc json, audit json) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	r site_reports;
	old projects;
	p projects;
BEGIN
	SELECT * INTO old FROM projects WHERE id = pid FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	INSERT INTO site_reports (id, project_id, reported_on, latitude,
		longitude, progress_percent, note, recorded_by)
	VALUES (gen_random_uuid(), pid, (doc->>'reported_on')::date,
		(doc->>'latitude')::double precision,
		(doc->>'longitude')::double precision,
		(doc->>'progress_percent')::smallint, doc->>'note',
		audit->>'principal')
	RETURNING * INTO r;
	INSERT INTO site_report_photos (report_id, n, content_type, sha256, bytes)
	SELECT r.id, x.n, x.ph->>'content_type',
		encode(sha256(decode(x.ph->>'data', 'base64')), 'hex'),
		decode(x.ph->>'data', 'base64')
	FROM json_array_elements(coalesce(doc->'photos', '[]'))
		WITH ORDINALITY AS x(ph, n);
	-- The newest report (by its date) sets the progress.
	UPDATE projects SET
		progress_percent = CASE WHEN old.last_report_on IS NULL
			OR r.reported_on >= old.last_report_on
			THEN r.progress_percent ELSE progress_percent END,
		last_report_on = greatest(last_report_on, r.reported_on),
		version = version + 1, updated_at = now()
	WHERE id = pid
	RETURNING * INTO p;
	PERFORM audit_write(audit, 'report', r.id::text,
		project_json(old)::jsonb, report_json(r)::jsonb);
	RETURN report_json(r);
END
$$;
