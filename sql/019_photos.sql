-- Photos stand on their own, addressed by their content (issue 12): a
-- field client uploads each one by itself (PUT /api/v1/photos/{sha256}),
-- retries a cut upload by sending it again, and a report names its photos
-- by hash. Until now a report carried its photos inside its own JSON, as
-- base64, stored in site_report_photos.
--
-- Photos are kept in PostgreSQL, beside the reports that reference them,
-- not in files: a photo and its row are written in one transaction, so
-- nothing half-written is ever served and no crash leaves a row without
-- its bytes or bytes without a row; a standby, a backup and a restore hold
-- photos and reports alike; and removing an unreferenced photo is one
-- DELETE that the foreign key keeps from removing a referenced one.
-- Photos are at most max_photo_size (10 MiB by default): well within
-- bytea, and TOAST keeps them out of the row.
CREATE TABLE photos (
	sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	content_type text NOT NULL
		CHECK (content_type IN ('image/jpeg', 'image/png')),
	size         integer NOT NULL CHECK (size = length(bytes)),
	-- What the decoder read (NULL for the photos of reports stored
	-- before this migration, which were never decoded).
	width        integer,
	height       integer,
	-- EXIF, when the photo has it: the capture time as the camera wrote
	-- it (no zone) and its GPS position.
	taken_at     timestamp,
	latitude     double precision CHECK (latitude BETWEEN -90 AND 90),
	longitude    double precision CHECK (longitude BETWEEN -180 AND 180),
	uploaded_by  text,
	uploaded_at  timestamptz NOT NULL DEFAULT now(),
	bytes        bytea NOT NULL
);
-- JPEG and PNG are compressed already: TOAST need not try again.
ALTER TABLE photos ALTER COLUMN bytes SET STORAGE EXTERNAL;
-- The sweep of unreferenced photos walks the oldest first.
CREATE INDEX photos_uploaded_at ON photos (uploaded_at);

-- The photos of the reports stored so far move to the new table, each
-- once (the same bytes in two reports are one photo), uploaded when and
-- by whom its first report was recorded.
INSERT INTO photos (sha256, content_type, size, uploaded_by, uploaded_at,
	bytes)
SELECT DISTINCT ON (p.sha256) p.sha256, p.content_type, length(p.bytes),
	r.recorded_by, r.recorded_at, p.bytes
FROM site_report_photos p JOIN site_reports r ON r.id = p.report_id
ORDER BY p.sha256, r.recorded_at, r.seq;

-- A report's photos are now references: its n-th photo is that hash.
ALTER TABLE site_report_photos DROP COLUMN bytes;
ALTER TABLE site_report_photos DROP COLUMN content_type;
ALTER TABLE site_report_photos ADD CONSTRAINT site_report_photos_sha256
	FOREIGN KEY (sha256) REFERENCES photos (sha256);
CREATE INDEX site_report_photos_by_sha256 ON site_report_photos (sha256);
