-- 017: the limits that protect the service are shared by every instance
-- (issue 18). Until now each instance kept a principal's token bucket and
-- an address's failed authentications in its own shared memory, so two
-- instances behind a balancer allowed twice the limit.
--
-- UNLOGGED: a limit is protection, not a record. Its rows are written
-- for every lease and every failed authentication, and would otherwise
-- each cost a WAL flush (and, with synchronous replication, a round trip
-- to the standby). After a crash or a failover the tables start empty:
-- every bucket full, every count zero, which is what a restart of a
-- single instance always gave.
--
-- rate_buckets: one row per principal that has made a request; tokens
-- as of at, refilled at rate_limit_per_second up to rate_limit_burst
-- (rate_lease.sql). auth_failures: one row per client address that failed
-- to authenticate; level as of at, leaking at auth_failures_per_minute
-- (auth_failure_record.sql, which also deletes rows that have leaked
-- away).
CREATE UNLOGGED TABLE rate_buckets (
	principal_id text PRIMARY KEY,
	tokens       double precision NOT NULL,
	at           timestamptz NOT NULL
);

CREATE UNLOGGED TABLE auth_failures (
	addr  text PRIMARY KEY,
	level double precision NOT NULL,
	at    timestamptz NOT NULL
);
