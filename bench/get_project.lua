-- GET /api/v1/projects/{id} for random ids read from BENCH_IDS.
local r = require "bench.requests"
local reqs = {}
request = r.cycle(reqs)

function init(args)
	for k, id in ipairs(r.random_ids(20000)) do
		reqs[k] = wrk.format("GET", "/api/v1/projects/" .. id, r.headers())
	end
end
