-- 013: a project's code (投资项目统一代码) carries its area in its second
-- segment, and must agree with the project's area. Without the rule a
-- county key could give its own project another county's code, and the
-- real project could then not be registered (409).
--
-- The service refuses such writes itself (validate_code_area, 422); the
-- constraint holds the rule for every other way in. NOT VALID: rows that
-- broke it before keep working for reads, while every write that touches
-- a project must bring it in line (PostgreSQL checks NOT VALID constraints
-- on new and updated rows). Find them with:
--   SELECT id, code, area FROM projects WHERE substr(code, 6, 6) <> area;
ALTER TABLE projects ADD CONSTRAINT projects_code_area
	CHECK (code IS NULL OR substr(code, 6, 6) = area) NOT VALID;
