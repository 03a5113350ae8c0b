-- targets_json: the targets of a year: the city's and the areas'.
CREATE OR REPLACE FUNCTION targets_json(y int) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_build_object(
		'year', y,
		'signed_amount_yuan', max(signed_amount_yuan) FILTER (WHERE area IS NULL),
		'start_rate', max(start_rate) FILTER (WHERE area IS NULL),
		'areas', coalesce(json_agg(json_build_object('area', area,
			'signed_amount_yuan', signed_amount_yuan,
			'start_rate', start_rate) ORDER BY area)
			FILTER (WHERE area IS NOT NULL), '[]')) END
	FROM targets WHERE year = y
$$;
