-- 004: the project writes. Their functions (audit_write, project_create,
-- project_update, event_append, query_grams) are in sql/functions/.

-- The project code's area segment must be a known area, as data.
ALTER TABLE projects ADD COLUMN code_area text
	GENERATED ALWAYS AS (substr(code, 6, 6)) STORED;
ALTER TABLE projects ADD CONSTRAINT projects_code_area_fkey
	FOREIGN KEY (code_area) REFERENCES areas (code);
