-- 009: the change feed for reconciliation jobs (GET /api/v1/changes).
--
-- The audit log already holds every change. To page through it without
-- ever skipping one, the feed orders rows by the writing transaction's id
-- and serves only transactions older than the reader's snapshot xmin: all
-- of those have finished, so no row can later appear behind the cursor
-- (an id taken from a sequence can commit out of order; a finished
-- transaction cannot add rows).
ALTER TABLE audit_log ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX audit_log_feed ON audit_log (xid, id);
