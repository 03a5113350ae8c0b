-- A GET of one fixed path (BENCH_PATH) with the key, built once.
local r = require "bench.requests"
local reqs = {}
request = r.cycle(reqs)

function init(args)
	reqs[1] = wrk.format("GET", os.getenv("BENCH_PATH"), r.headers())
end
