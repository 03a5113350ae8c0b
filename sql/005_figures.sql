-- 005: the figures (SPEC §5): targets, the pipeline statistics and the
-- warning lights. All are computed from the events' standing results: the
-- current figures read the derived columns (kept equal to the events in
-- the same transaction as each event), the figures as known at a past
-- time read the events themselves. The functions (pipeline_rows,
-- stats_pipeline, stats_alerts and their helpers, targets_json,
-- targets_put) are in sql/functions/.

CREATE TABLE targets (
	year               integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
	area               text REFERENCES areas (code), -- NULL: the city
	signed_amount_yuan bigint NOT NULL
		CHECK (signed_amount_yuan BETWEEN 0 AND 1000000000000000),
	start_rate         numeric(5, 4) NOT NULL CHECK (start_rate BETWEEN 0 AND 1)
);
CREATE UNIQUE INDEX targets_year_area ON targets (year, coalesce(area, ''));

INSERT INTO targets (year, area, signed_amount_yuan, start_rate)
VALUES (2024, NULL, 300000000000, 0.60);

-- The current figures read the derived columns through this index
-- alone (an index-only scan once the visibility map is set).
CREATE INDEX projects_figures ON projects (signed_on)
	INCLUDE (signed_amount_yuan, started_on, area, industry, level, id);

-- What was recorded after a time: the projects whose standing may differ
-- from what was known then.
CREATE INDEX project_events_recorded ON project_events (recorded_at)
	INCLUDE (project_id);
