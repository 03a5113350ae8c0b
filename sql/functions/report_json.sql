-- report_json: a site report as the API shows it, with its photos'
-- metadata (not their bytes).
CREATE OR REPLACE FUNCTION report_json(r site_reports) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', r.id, 'project_id', r.project_id,
		'reported_on', r.reported_on, 'observed_at', r.observed_at,
		'position', CASE WHEN r.latitude IS NOT NULL THEN
			json_build_object('lat', r.latitude, 'lon', r.longitude,
				'accuracy_m', r.accuracy_m) END,
		'position_suspect', r.position_suspect,
		'latitude', r.latitude, 'longitude', r.longitude,
		'progress_percent', r.progress_percent,
		'note', r.note, 'recorded_at', r.recorded_at,
		'recorded_by', r.recorded_by,
		'photos', coalesce((SELECT json_agg(json_build_object('n', sp.n,
			'content_type', ph.content_type, 'sha256', sp.sha256,
			'size', ph.size) ORDER BY sp.n)
			FROM site_report_photos sp JOIN photos ph USING (sha256)
			WHERE sp.report_id = r.id), '[]'))
$$;
