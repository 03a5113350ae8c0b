-- batch_json: a batch ("三个一批") as the API shows it. The next stage of
-- a signing batch is the start, of a starting batch the production; a
-- production batch has none.
CREATE OR REPLACE FUNCTION batch_json(b batches) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', b.id, 'kind', b.kind,
		'held_on', b.held_on, 'name', b.name, 'area', b.area,
		'park', b.park, 'created_at', b.created_at,
		'project_count', count(p.id),
		'next_stage', CASE b.kind WHEN 'sign' THEN 'started'
			WHEN 'start' THEN 'in_operation' END,
		'reached_next_stage', CASE b.kind
			WHEN 'sign' THEN count(p.started_on)
			WHEN 'start' THEN count(p.operating_on) END,
		'projects', coalesce(json_agg(p.id ORDER BY p.seq)
			FILTER (WHERE p.id IS NOT NULL), '[]'))
	FROM batch_projects bp JOIN projects p ON p.id = bp.project_id
	WHERE bp.batch_id = b.id
$$;
