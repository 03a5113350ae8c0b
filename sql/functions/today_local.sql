-- today_local: local dates are Yuncheng's.
--
-- With an SQL-standard body (RETURN ..., since migration 012), which
-- PostgreSQL stores parsed: see project_json.sql.
CREATE OR REPLACE FUNCTION today_local() RETURNS date
LANGUAGE sql STABLE
RETURN (now() AT TIME ZONE 'Asia/Shanghai')::date;
