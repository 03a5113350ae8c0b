-- 001: areas (SPEC §2).
--
-- Migrations hold tables, indexes, triggers and data only. Every SQL
-- function has its one definition in sql/functions/NAME.sql, created or
-- replaced on every `pipelined migrate` in the order of
-- sql/functions/ORDER (the name-search helper name_grams, today_local and
-- refuse_change, which this migration first created, are there now).
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
