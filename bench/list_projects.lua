-- GET /api/v1/projects?area=… (one page of 50) for each area in turn.
local r = require "bench.requests"
local reqs = {}
request = r.cycle(reqs)

function init(args)
	local areas = { "140802", "140821", "140822", "140823", "140824",
		"140825", "140826", "140827", "140828", "140829", "140830",
		"140881", "140882" }
	for k, a in ipairs(areas) do
		reqs[k] = wrk.format("GET", "/api/v1/projects?area=" .. a ..
			"&limit=50", r.headers())
	end
end
