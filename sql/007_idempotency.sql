-- 007: Idempotency-Key (SPEC §6). A POST that carries a key reserves it
-- for its principal before it runs; the write that it makes marks it done
-- in the same transaction (through audit_write, which every write calls),
-- with the response to replay. So a retry never repeats a write that
-- committed, and a write that did not commit leaves the key to be taken
-- over once its reservation is stale. idempotency_reserve and
-- audit_write are in sql/functions/.
CREATE TABLE idempotency_keys (
	principal_id text NOT NULL,
	key          text NOT NULL,
	request_hash text NOT NULL,
	state        text NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'done')),
	status       integer,
	body         text,
	location     text,
	etag         text,
	created_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (principal_id, key)
);
