-- GET /api/v1/stats/pipeline?year=2024&by=area&as_of=<day>, the days of
-- 2024 in turn: with 64 connections and 366 days, no two requests in
-- flight are alike, so none shares another's statement and each costs
-- the figures' whole computation.
local r = require "bench.requests"
local reqs = {}
request = r.cycle(reqs)

function init(args)
	local t = os.time({ year = 2024, month = 1, day = 1, hour = 12 })
	for k = 1, 366 do
		local day = os.date("!%Y-%m-%d", t + (k - 1) * 86400)
		reqs[k] = wrk.format("GET",
			"/api/v1/stats/pipeline?year=2024&by=area&as_of=" .. day,
			r.headers())
	end
end
