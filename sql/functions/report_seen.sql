-- report_seen: what report_put answers for an id already stored: the same
-- content (its digest) is a resend, other content a conflict.
CREATE OR REPLACE FUNCTION report_seen(r site_reports, digest text)
	RETURNS json
LANGUAGE sql STABLE
RETURN CASE WHEN r.content_sha256 = digest
	THEN json_build_object('outcome', 'unchanged', 'report', report_json(r))
	ELSE json_build_object('outcome', 'conflict') END;
