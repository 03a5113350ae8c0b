-- light_name: the colour of a warning light's level (0 green, 1 yellow,
-- 2 red); see stats_alerts.sql.
--
-- With an SQL-standard body (RETURN ..., since migration 012), which
-- PostgreSQL stores parsed: see project_json.sql.
CREATE OR REPLACE FUNCTION light_name(level int) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN (ARRAY['green', 'yellow', 'red'])[level + 1];
