-- 003: principals (API keys, client certificates) and the audit log.
CREATE TABLE principals (
	id          uuid PRIMARY KEY,
	name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
	role        text NOT NULL CHECK (role IN ('admin', 'editor', 'county',
		'reporter', 'reconciler', 'viewer')),
	areas       text[] NOT NULL DEFAULT '{}',
	key_prefix  text UNIQUE,
	key_hash    text CHECK (key_hash ~ '^[0-9a-f]{64}$'),
	cert_sha256 text UNIQUE CHECK (cert_sha256 ~ '^[0-9a-f]{64}$'),
	expires_on  date,
	created_at  timestamptz NOT NULL DEFAULT now(),
	revoked_at  timestamptz,
	seq         bigserial NOT NULL UNIQUE
);

CREATE TABLE audit_log (
	id            bigserial PRIMARY KEY,
	at            timestamptz NOT NULL DEFAULT clock_timestamp(),
	principal_id  text,
	principal     text,
	request_id    text NOT NULL,
	method        text NOT NULL,
	path          text NOT NULL,
	resource_type text NOT NULL,
	resource_id   text NOT NULL,
	before        jsonb,
	after         jsonb
);

CREATE INDEX audit_log_principal ON audit_log (principal_id, id);
CREATE INDEX audit_log_resource ON audit_log (resource_id, id);

-- refuse_change(): sql/functions/refuse_change.sql.
CREATE TRIGGER audit_log_append_only
	BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_no_truncate
	BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
