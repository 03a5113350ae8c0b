-- report_batch: up to 200 reports (POST /api/v1/reports/batch), each put
-- by report_put in a subtransaction of its own, so that one that fails
-- (an error report_put does not foresee) takes nothing of the others with
-- it: the good ones are stored in this one transaction. Answers the
-- outcomes in the order of docs; a failure is {"outcome": "error"} (the
-- message stays in the server's log, as every database error's).
CREATE OR REPLACE FUNCTION report_batch(docs json, scope json, audit json)
	RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	d json;
	out jsonb := '[]';
	one json;
BEGIN
	-- The batch's projects locked at once, in one order: two batches
	-- naming the same projects in other orders would otherwise each hold
	-- one and wait for the other (a deadlock, and a report refused).
	PERFORM FROM projects p
	WHERE p.id IN (SELECT (x->>'project_id')::uuid
		FROM json_array_elements(docs) x)
	ORDER BY p.id FOR UPDATE;
	FOR d IN SELECT x FROM json_array_elements(docs) x LOOP
		BEGIN
			one := report_put(d, scope, audit);
		EXCEPTION WHEN others THEN
			RAISE WARNING 'report_batch: %: %', SQLSTATE, SQLERRM;
			one := json_build_object('outcome', 'error');
		END;
		out := out || jsonb_build_array(one::jsonb);
	END LOOP;
	RETURN out::json;
END
$$;
