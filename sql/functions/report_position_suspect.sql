-- report_position_suspect: whether a site report's position is not one a
-- site in Yuncheng has: outside the box of the
-- prefecture (34°35′ to 35°49′ N, 110°15′ to 112°04′ E) with a margin of
-- about 5 km: latitude 34.50 to 35.90 N,
-- longitude 110.15 to 112.15 E; or (0, 0), which a device without a fix
-- sends. A report without a position is not suspect: it has none to
-- doubt. Before the migrations: sql/020 backfills with it.
CREATE OR REPLACE FUNCTION report_position_suspect(lat double precision,
	lon double precision) RETURNS boolean
LANGUAGE sql IMMUTABLE
RETURN lat IS NOT NULL AND (
	(lat = 0 AND lon = 0)
	OR lat NOT BETWEEN 34.50 AND 35.90
	OR lon NOT BETWEEN 110.15 AND 112.15);
