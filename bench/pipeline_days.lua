-- GET /api/v1/stats/pipeline?year=2024&by=area&as_of=<day>, the days of
-- 2024 in turn: with 64 connections and 366 days, no two requests in
-- flight are alike, so none shares another's statement and each costs
-- the figures' whole computation. Requests built once, in init.
local reqs = {}
local i = 0

function init(args)
	local key = os.getenv("BENCH_KEY")
	local t = os.time({ year = 2024, month = 1, day = 1, hour = 12 })
	for k = 1, 366 do
		local day = os.date("!%Y-%m-%d", t + (k - 1) * 86400)
		reqs[k] = wrk.format("GET",
			"/api/v1/stats/pipeline?year=2024&by=area&as_of=" .. day,
			{ ["Authorization"] = "Bearer " .. key })
	end
end

function request()
	i = i % #reqs + 1
	return reqs[i]
end
