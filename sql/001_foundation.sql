-- 001: areas (SPEC §2) and the name-search helper.
CREATE TABLE areas (
	code   text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
	name   text NOT NULL,
	parent text REFERENCES areas (code)
);

INSERT INTO areas (code, name, parent) VALUES
	('140800', '运城市', NULL),
	('140802', '盐湖区', '140800'),
	('140821', '临猗县', '140800'),
	('140822', '万荣县', '140800'),
	('140823', '闻喜县', '140800'),
	('140824', '稷山县', '140800'),
	('140825', '新绛县', '140800'),
	('140826', '绛县', '140800'),
	('140827', '垣曲县', '140800'),
	('140828', '夏县', '140800'),
	('140829', '平陆县', '140800'),
	('140830', '芮城县', '140800'),
	('140881', '永济市', '140800'),
	('140882', '河津市', '140800');

-- The distinct characters and character pairs of a name, lower-cased.
-- pg_trgm extracts no trigram from a 2-character Chinese search such as
-- 机场, and pg_bigm is not in Debian; a GIN index over these grams serves
-- searches of any length (shared/notes/search.md).
CREATE FUNCTION name_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
	SELECT coalesce(array_agg(DISTINCT g), '{}')
	FROM (
		SELECT substr(lower(t), i, 1) AS g
		FROM generate_series(1, char_length(t)) AS i
		UNION ALL
		SELECT substr(lower(t), i, 2)
		FROM generate_series(1, char_length(t) - 1) AS i
	) grams
$$;

-- Local dates are Yuncheng's.
CREATE FUNCTION today_local() RETURNS date
LANGUAGE sql STABLE AS $$ SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date $$;

-- Append-only tables refuse UPDATE, DELETE and TRUNCATE for every role.
CREATE FUNCTION refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
		USING ERRCODE = 'insufficient_privilege';
END
$$;
