-- 016: a replay is the first response's bytes (issue 14), not the stored
-- document re-serialised as jsonb (another key order, other spacing).
--
-- body now holds the exact text of the response's body, which the write
-- returns and stores in its own transaction
-- (sql/functions/idempotency_done.sql); content_type joins status,
-- location and etag, so that a replay sends what the first answer sent.
-- Keys done before keep their body as it was and no content type (JSON).
ALTER TABLE idempotency_keys ADD COLUMN content_type text;

-- idempotency_reserve answers with the content type now: a new return
-- type, so the old definition goes here and migrate's last step creates
-- the new one (sql/functions/ORDER).
DROP FUNCTION IF EXISTS idempotency_reserve(text, text, text, integer);
