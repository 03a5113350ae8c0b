-- photo_json: a photo as GET and PUT /api/v1/photos/{sha256} describe it
-- (its bytes are served by GET with the photo's own type).
CREATE OR REPLACE FUNCTION photo_json(p photos) RETURNS json
LANGUAGE sql STABLE
RETURN json_build_object(
	'sha256', p.sha256, 'content_type', p.content_type, 'size', p.size,
	'width', p.width, 'height', p.height,
	'taken_at', to_char(p.taken_at, 'YYYY-MM-DD"T"HH24:MI:SS'),
	'position', CASE WHEN p.latitude IS NOT NULL THEN json_build_object(
		'lat', p.latitude, 'lon', p.longitude) END,
	'uploaded_at', p.uploaded_at);
