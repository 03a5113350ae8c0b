-- 006: the development zones' "三个一批" events (签约一批、开工一批、投产一批):
-- a batch of projects signed, started or put into production together on
-- one day, and how many of them have since reached the next stage.
-- batch_json, batch_create and project_page (with its batch filter) are
-- in sql/functions/.
CREATE TABLE batches (
	id         uuid PRIMARY KEY,
	seq        bigserial NOT NULL UNIQUE,
	kind       text NOT NULL CHECK (kind IN ('sign', 'start', 'production')),
	held_on    date NOT NULL,
	name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
	area       text NOT NULL REFERENCES areas (code),
	park       text,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE batch_projects (
	batch_id   uuid NOT NULL REFERENCES batches (id),
	project_id uuid NOT NULL REFERENCES projects (id),
	PRIMARY KEY (batch_id, project_id)
);
CREATE INDEX batch_projects_project ON batch_projects (project_id);
