-- 015: an Idempotency-Key reservation belongs to the database session that
-- made it (issue 14), so that a retry after a crash runs at once instead
-- of being told 409 until the reservation goes stale.
--
-- holder_pid, holder_start: the reserving session's pg_backend_pid() and
-- its backend_start. A pending reservation whose session is gone (no
-- backend of that pid and start in pg_stat_activity: its worker was
-- killed, the instance died, the primary changed) is taken over at once.
-- A pid and its start, not the pid alone, since PostgreSQL reuses pids.
--
-- token: a new one for each reservation and take-over. The write of the
-- request names it, and is refused if the key was taken over meanwhile:
-- so a write still running for a dead worker cannot commit beside the
-- retry's (sql/functions/audit_write.sql).
--
-- Rows from before keep NULL holders and tokens: they are taken over only
-- once stale, as before.
ALTER TABLE idempotency_keys
	ADD COLUMN holder_pid   integer,
	ADD COLUMN holder_start timestamptz,
	ADD COLUMN token        uuid;

-- idempotency_reserve answers with the token now: a new return type, which
-- CREATE OR REPLACE cannot give, so the old definition goes here and
-- migrate's last step creates the new one (sql/functions/ORDER).
DROP FUNCTION IF EXISTS idempotency_reserve(text, text, text, integer);
