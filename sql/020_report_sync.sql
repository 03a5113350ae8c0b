-- Site reports as field clients queue them offline (issue 12): each has
-- an id the client made (a UUID), so that a report sent twice, or in two
-- batches at once, is stored once; an observation time with its offset
-- instead of a date; a position that may be missing (a device without a
-- fix) and is kept but flagged when it is not plausible; and its photos
-- by hash (sql/019).
--
-- reported_on stays: the local date of observed_at (Asia/Shanghai), what
-- the reporting light and the older API read.
ALTER TABLE site_reports
	ADD COLUMN observed_at timestamptz,
	ADD COLUMN accuracy_m double precision CHECK (accuracy_m >= 0),
	ADD COLUMN position_suspect boolean NOT NULL DEFAULT false,
	-- The SHA-256 of what the client sent (report_put): the same id with
	-- the same content is a resend; with another, a conflict.
	ADD COLUMN content_sha256 text,
	ALTER COLUMN latitude DROP NOT NULL,
	ALTER COLUMN longitude DROP NOT NULL,
	ADD CONSTRAINT site_reports_position_whole
		CHECK ((latitude IS NULL) = (longitude IS NULL));

-- The reports stored so far: observed at noon of their day, and flagged
-- by the same rule as new ones. Reports are append-only (sql/008); the
-- guard steps aside for this one backfill, in this transaction.
ALTER TABLE site_reports DISABLE TRIGGER site_reports_append_only;
UPDATE site_reports SET
	observed_at = (reported_on + time '12:00') AT TIME ZONE 'Asia/Shanghai',
	position_suspect = report_position_suspect(latitude, longitude);
ALTER TABLE site_reports ENABLE TRIGGER site_reports_append_only;
ALTER TABLE site_reports ALTER COLUMN observed_at SET NOT NULL;

-- GET /api/v1/reports?since= pages by seq among those recorded since.
CREATE INDEX site_reports_recorded ON site_reports (recorded_at, seq);
