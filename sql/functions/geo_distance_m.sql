-- geo_distance_m: the great-circle distance in metres between two points
-- (haversine, on a sphere of the Earth's mean radius): good to well under
-- a percent at the few kilometres report_put compares.
CREATE OR REPLACE FUNCTION geo_distance_m(lat1 double precision,
	lon1 double precision, lat2 double precision, lon2 double precision)
	RETURNS double precision
LANGUAGE sql IMMUTABLE
RETURN 2 * 6371008.8 * asin(sqrt(
	sin(radians(lat2 - lat1) / 2) ^ 2
	+ cos(radians(lat1)) * cos(radians(lat2))
		* sin(radians(lon2 - lon1) / 2) ^ 2));
