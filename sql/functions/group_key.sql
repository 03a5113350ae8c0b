-- group_key: the key a project is grouped under (by: area, industry,
-- level, month of signing, or NULL for no grouping). STABLE like to_char,
-- so that it is inlined.
--
-- With an SQL-standard body (RETURN ..., since migration 012), which
-- PostgreSQL stores parsed: see project_json.sql.
CREATE OR REPLACE FUNCTION group_key(by text, area text, industry text,
	level text, signed_on date) RETURNS text
LANGUAGE sql STABLE
RETURN CASE by WHEN 'area' THEN area WHEN 'industry' THEN industry
	WHEN 'level' THEN level
	WHEN 'month' THEN to_char(signed_on, 'YYYY-MM') END;
