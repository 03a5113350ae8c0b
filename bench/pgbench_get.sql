\set n random(1, 100000)
SELECT project_json(p), p.version, p.area FROM projects p WHERE p.seq = :n;
