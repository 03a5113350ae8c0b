-- pipeline_figures: the counts, amounts and start rates of one group (or
-- of the total) of /stats/pipeline.
--
-- With an SQL-standard body (RETURN ..., since migration 012), which
-- PostgreSQL stores parsed: see project_json.sql.
CREATE OR REPLACE FUNCTION pipeline_figures(n bigint, amount numeric,
	sn bigint, samount numeric) RETURNS json
LANGUAGE sql IMMUTABLE
RETURN json_build_object(
	'signed', json_build_object('count', n, 'amount_yuan', amount),
	'signed_and_started', json_build_object('count', sn,
		'amount_yuan', samount),
	'start_rate', json_build_object(
		'by_count', CASE WHEN n > 0 THEN round(sn::numeric / n, 4) END,
		'by_amount', CASE WHEN amount > 0
			THEN round(samount / amount, 4) END));
