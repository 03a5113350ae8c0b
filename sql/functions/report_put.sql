-- report_put: one site report as a field client sends it (issue 12),
-- stored at most once however often it is sent, concurrently too.
-- doc (checked by the API): id (the client's UUID), project_id,
-- observed_at (RFC 3339), progress_pct, note, position {lat, lon,
-- accuracy_m} or absent, photos [sha256, ...] of uploaded photos. scope:
-- the areas the principal may write in (a JSON array), or JSON null for
-- all.
--
-- Answers {"outcome": ..., "report": report_json} with outcome one of
--   created        stored now
--   unchanged      stored before with the same content: a resend
--   conflict       stored before with other content under this id
--   no-project     no such project
--   outside-scope  the project is outside scope
--   missing-photo  a photo is not uploaded ("photo": its hash)
-- Nothing is written but for created.
--
-- A report is suspect (position_suspect) when its position is not
-- plausible (report_position_suspect) or a photo's EXIF position is more
-- than 5 km from it; it is kept, but does not count for the reporting
-- light: only a report that is not suspect moves last_report_on.
CREATE OR REPLACE FUNCTION report_put(doc json, scope json, audit json)
	RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	rid uuid := (doc->>'id')::uuid;
	pid uuid := (doc->>'project_id')::uuid;
	lat double precision := (doc->'position'->>'lat')::double precision;
	lon double precision := (doc->'position'->>'lon')::double precision;
	-- The content as values, not as the client spelled it: the same
	-- instant with another offset, a UUID in capitals, 35 or 35.0 are the
	-- same report.
	digest text := encode(sha256(convert_to(jsonb_build_array(pid,
		extract(epoch FROM (doc->>'observed_at')::timestamptz),
		(doc->>'progress_pct')::int, doc->>'note', lat, lon,
		(doc->'position'->>'accuracy_m')::double precision,
		coalesce(doc->'photos', '[]')::jsonb)::text, 'UTF8')), 'hex');
	seen site_reports;
	old projects;
	r site_reports;
	missing text;
	suspect boolean;
	area text;
BEGIN
	-- The scope first, a resend's too: who may not write the project
	-- learns nothing of its reports.
	SELECT p.area INTO area FROM projects p WHERE p.id = pid;
	IF NOT FOUND THEN
		RETURN json_build_object('outcome', 'no-project');
	END IF;
	-- scope is JSON null (not SQL NULL) for a principal of every area.
	IF json_typeof(scope) = 'array' AND NOT area IN
		(SELECT json_array_elements_text(scope)) THEN
		RETURN json_build_object('outcome', 'outside-scope');
	END IF;
	SELECT * INTO seen FROM site_reports WHERE id = rid;
	IF FOUND THEN
		RETURN report_seen(seen, digest);
	END IF;
	SELECT * INTO old FROM projects WHERE id = pid FOR UPDATE;
	-- Its photos held until the report commits, so that the sweep
	-- (which skips locked rows) cannot take one from under it.
	PERFORM FROM photos ph
	WHERE ph.sha256 IN (SELECT json_array_elements_text(
		coalesce(doc->'photos', '[]')))
	FOR KEY SHARE;
	SELECT h INTO missing
	FROM json_array_elements_text(coalesce(doc->'photos', '[]')) h
	WHERE NOT EXISTS (SELECT FROM photos ph WHERE ph.sha256 = h)
	LIMIT 1;
	IF missing IS NOT NULL THEN
		RETURN json_build_object('outcome', 'missing-photo',
			'photo', missing);
	END IF;
	suspect := report_position_suspect(lat, lon) OR (lat IS NOT NULL
		AND EXISTS (SELECT FROM photos ph
			WHERE ph.sha256 IN (SELECT json_array_elements_text(
				coalesce(doc->'photos', '[]')))
			AND ph.latitude IS NOT NULL
			AND geo_distance_m(lat, lon, ph.latitude, ph.longitude)
				> 5000));
	INSERT INTO site_reports (id, project_id, reported_on, observed_at,
		latitude, longitude, accuracy_m, position_suspect,
		progress_percent, note, recorded_by, content_sha256)
	VALUES (rid, pid,
		((doc->>'observed_at')::timestamptz AT TIME ZONE 'Asia/Shanghai')::date,
		(doc->>'observed_at')::timestamptz, lat, lon,
		(doc->'position'->>'accuracy_m')::double precision, suspect,
		(doc->>'progress_pct')::smallint, doc->>'note',
		audit->>'principal', digest)
	ON CONFLICT (id) DO NOTHING
	RETURNING * INTO r;
	IF NOT FOUND THEN
		-- Another send of this id, concurrent, stored it first.
		SELECT * INTO seen FROM site_reports WHERE id = rid;
		RETURN report_seen(seen, digest);
	END IF;
	INSERT INTO site_report_photos (report_id, n, sha256)
	SELECT rid, x.n, x.h
	FROM json_array_elements_text(coalesce(doc->'photos', '[]'))
		WITH ORDINALITY AS x(h, n);
	UPDATE projects SET
		progress_percent = CASE WHEN old.last_report_on IS NULL
			OR r.reported_on >= old.last_report_on
			THEN r.progress_percent ELSE progress_percent END,
		last_report_on = CASE WHEN suspect THEN last_report_on
			ELSE greatest(last_report_on, r.reported_on) END,
		version = version + 1, updated_at = now()
	WHERE id = pid;
	PERFORM audit_write(audit, 'report', rid::text,
		project_json(old)::jsonb, report_json(r)::jsonb);
	-- With an Idempotency-Key (the single route's), its replay is this.
	RETURN json_build_object('outcome', 'created', 'report',
		idempotency_done(audit, 201, report_json(r),
			'/api/v1/reports/' || rid, NULL));
END
$$;
