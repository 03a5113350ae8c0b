-- target_progress: the target of year y for one area (f_area NULL: the
-- city) and how far figures with signed amount amt and start rate (by
-- count) rate have come towards it; NULL when no target is set. One
-- definition for the total of /stats/pipeline and for each of its groups
-- by area (SPEC §5: targets optionally per area).
CREATE OR REPLACE FUNCTION target_progress(y int, f_area text, amt numeric,
	rate numeric) RETURNS jsonb
LANGUAGE sql STABLE
RETURN (SELECT jsonb_build_object(
		'signed_amount_yuan', t.signed_amount_yuan,
		'start_rate', t.start_rate,
		'signed_amount_progress', CASE WHEN t.signed_amount_yuan > 0
			THEN round(amt / t.signed_amount_yuan, 4) END,
		'start_rate_progress', CASE WHEN t.start_rate > 0 AND rate IS NOT NULL
			THEN round(rate / t.start_rate, 4) END)
	FROM targets t
	WHERE t.year = y AND coalesce(t.area, '') = coalesce(f_area, ''));
