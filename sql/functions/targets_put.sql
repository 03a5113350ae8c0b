-- targets_put: replaces a year's targets; doc as targets_json gives them.
CREATE OR REPLACE FUNCTION targets_put(y int, doc json, audit json) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	before json := targets_json(y);
	after json;
BEGIN
	DELETE FROM targets WHERE year = y;
	INSERT INTO targets (year, area, signed_amount_yuan, start_rate)
	VALUES (y, NULL, (doc->>'signed_amount_yuan')::bigint,
		(doc->>'start_rate')::numeric);
	INSERT INTO targets (year, area, signed_amount_yuan, start_rate)
	SELECT y, x.area, x.signed_amount_yuan, x.start_rate
	FROM json_to_recordset(coalesce(doc->'areas', '[]'))
		AS x(area text, signed_amount_yuan bigint, start_rate numeric);
	after := targets_json(y);
	PERFORM audit_write(audit, 'targets', y::text, before::jsonb,
		after::jsonb);
	RETURN after;
END
$$;
