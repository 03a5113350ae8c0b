-- report_create: a site report, its photos and its audit row; the newest
-- report (by its date) sets the project's progress and last_report_on.
-- doc: reported_on, latitude, longitude, progress_percent, note, and
-- photos [{content_type, data (base64)}]. NULL when the project is gone.
CREATE OR REPLACE FUNCTION report_create(pid uuid, doc json, audit json) RETURNS json
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
	-- Observed at noon of its day, and suspect by report_put's rule.
	INSERT INTO site_reports (id, project_id, reported_on, observed_at,
		latitude, longitude, position_suspect, progress_percent, note,
		recorded_by)
	VALUES (gen_random_uuid(), pid, (doc->>'reported_on')::date,
		((doc->>'reported_on')::date + time '12:00')
			AT TIME ZONE 'Asia/Shanghai',
		(doc->>'latitude')::double precision,
		(doc->>'longitude')::double precision,
		report_position_suspect((doc->>'latitude')::double precision,
			(doc->>'longitude')::double precision),
		(doc->>'progress_percent')::smallint, doc->>'note',
		audit->>'principal')
	RETURNING * INTO r;
	-- A photo sent in the report, as base64, is stored as an upload
	-- would store it (sql/019), once, and referenced.
	WITH sent AS (
		SELECT x.n, x.ph->>'content_type' AS ctype,
			decode(x.ph->>'data', 'base64') AS data
		FROM json_array_elements(coalesce(doc->'photos', '[]'))
			WITH ORDINALITY AS x(ph, n)),
	hashed AS (
		SELECT s.*, encode(sha256(s.data), 'hex') AS h FROM sent s),
	stored AS (
		INSERT INTO photos (sha256, content_type, size, uploaded_by,
			bytes)
		SELECT DISTINCT ON (h.h) h.h, h.ctype, length(h.data),
			audit->>'principal_id', h.data
		FROM hashed h ORDER BY h.h, h.n
		ON CONFLICT (sha256) DO NOTHING)
	INSERT INTO site_report_photos (report_id, n, sha256)
	SELECT r.id, h.n, h.h FROM hashed h;
	-- The newest report (by its date) sets the progress.
	UPDATE projects SET
		progress_percent = CASE WHEN old.last_report_on IS NULL
			OR r.reported_on >= old.last_report_on
			THEN r.progress_percent ELSE progress_percent END,
		last_report_on = CASE WHEN r.position_suspect THEN last_report_on
			ELSE greatest(last_report_on, r.reported_on) END,
		version = version + 1, updated_at = now()
	WHERE id = pid
	RETURNING * INTO p;
	PERFORM audit_write(audit, 'report', r.id::text,
		project_json(old)::jsonb, report_json(r)::jsonb);
	RETURN idempotency_done(audit, 201, report_json(r),
		'/api/v1/projects/' || pid || '/reports/' || r.id, NULL);
END
$$;
