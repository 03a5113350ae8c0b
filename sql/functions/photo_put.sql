-- photo_put: stores a photo the API has checked (its hash, that it
-- decodes, what its EXIF says), once: a photo already stored under that
-- hash is the same bytes, so a second upload writes nothing and answers
-- the photo as it is. meta: sha256, content_type, width, height and,
-- when the EXIF had them, taken_at, lat and lon. A new photo is audited
-- like every write; its audit row holds what photo_json says, not the
-- bytes. Answers {"created": bool, "photo": photo_json}.
CREATE OR REPLACE FUNCTION photo_put(data bytea, meta json, audit json)
	RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	h text := meta->>'sha256';
	p photos;
	created boolean;
BEGIN
	INSERT INTO photos (sha256, content_type, size, width, height,
		taken_at, latitude, longitude, uploaded_by, bytes)
	VALUES (h, meta->>'content_type', length(data),
		(meta->>'width')::int, (meta->>'height')::int,
		(meta->>'taken_at')::timestamp,
		(meta->>'lat')::double precision,
		(meta->>'lon')::double precision, audit->>'principal_id', data)
	ON CONFLICT (sha256) DO NOTHING
	RETURNING * INTO p;
	created := FOUND;
	IF created THEN
		PERFORM audit_write(audit, 'photo', h, NULL,
			photo_json(p)::jsonb);
	ELSE
		SELECT * INTO p FROM photos WHERE sha256 = h;
	END IF;
	RETURN json_build_object('created', created, 'photo', photo_json(p));
END
$$;
