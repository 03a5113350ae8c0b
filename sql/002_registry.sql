-- 002: projects and their append-only history (SPEC §3, §4).
CREATE TABLE projects (
	id                    uuid PRIMARY KEY,
	seq                   bigserial NOT NULL UNIQUE,
	code                  text UNIQUE
		CHECK (code ~ '^[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}-[0-9]{6}$'),
	name                  text NOT NULL
		CHECK (char_length(name) BETWEEN 1 AND 200),
	area                  text NOT NULL REFERENCES areas (code),
	industry              text,
	owner                 text,
	park                  text,
	level                 text CHECK (level IN ('provincial', 'municipal', 'county')),
	funding               text NOT NULL
		CHECK (funding IN ('government', 'enterprise', 'mixed')),
	total_investment_yuan bigint NOT NULL DEFAULT 0
		CHECK (total_investment_yuan BETWEEN 0 AND 1000000000000000),
	planned_start_on      date,
	planned_completion_on date,
	progress_percent      smallint NOT NULL DEFAULT 0
		CHECK (progress_percent BETWEEN 0 AND 100),
	-- Derived from the non-retracted events, written in the same
	-- statement as the event that changes them, guarded by version.
	status                text NOT NULL DEFAULT 'planned',
	signed_on             date,
	signed_amount_yuan    bigint,
	started_on            date,
	completed_on          date,
	operating_on          date,
	last_report_on        date,
	version               bigint NOT NULL DEFAULT 1,
	created_at            timestamptz NOT NULL DEFAULT now(),
	updated_at            timestamptz NOT NULL DEFAULT now(),
	-- name_grams(): sql/functions/name_grams.sql, created before the
	-- migrations run.
	name_grams            text[] GENERATED ALWAYS AS (name_grams(name)) STORED
);

CREATE INDEX projects_area ON projects (area, seq);
CREATE INDEX projects_status ON projects (status, seq);
CREATE INDEX projects_industry ON projects (industry, seq);
CREATE INDEX projects_level ON projects (level, seq);
CREATE INDEX projects_signed_on ON projects (signed_on);
CREATE INDEX projects_name_grams ON projects USING gin (name_grams);

CREATE TABLE project_events (
	id           uuid PRIMARY KEY,
	seq          bigserial NOT NULL UNIQUE,
	project_id   uuid NOT NULL REFERENCES projects (id),
	type         text NOT NULL CHECK (type IN ('signed', 'approval', 'started',
		'suspended', 'resumed', 'completed', 'operating', 'cancelled',
		'retraction')),
	effective_on date NOT NULL,
	amount_yuan  bigint CHECK (amount_yuan BETWEEN 0 AND 1000000000000000),
	kind         text CHECK (kind IN ('filing', 'land', 'planning',
		'environment', 'energy', 'construction_permit')),
	note         text,
	retracts     uuid UNIQUE REFERENCES project_events (id),
	reason       text,
	recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	recorded_by  text,
	CHECK ((type = 'retraction') = (retracts IS NOT NULL)),
	CHECK ((type = 'signed') = (amount_yuan IS NOT NULL)),
	CHECK ((type = 'approval') = (kind IS NOT NULL))
);

CREATE INDEX project_events_project ON project_events (project_id, seq);
-- The figures as known at a past time read signings and starts by date,
-- and the (few) retractions recorded by then: both from these indexes
-- alone.
CREATE INDEX project_events_figures ON project_events (effective_on)
	INCLUDE (type, project_id, recorded_at, amount_yuan, id)
	WHERE type IN ('signed', 'started');
CREATE INDEX project_events_retractions ON project_events (retracts)
	INCLUDE (recorded_at) WHERE type = 'retraction';

-- refuse_change(): sql/functions/refuse_change.sql, created before the
-- migrations run. project_json and event_json are in sql/functions/.
CREATE TRIGGER project_events_append_only
	BEFORE UPDATE OR DELETE ON project_events
	FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER project_events_no_truncate
	BEFORE TRUNCATE ON project_events
	FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
