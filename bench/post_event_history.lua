-- POST /api/v1/projects/{id}/events: an approval dated today (BENCH_TODAY),
-- as events are recorded, on the projects listed in BENCH_HISTORY_IDS in
-- turn; or, with BENCH_BACKDATED set, dated 2015-05-05, inside a long
-- history. In turn, not at random: with few projects and a few
-- connections, two requests seldom write the same project at once.
local r = require "bench.requests"
local reqs = {}
request = r.cycle(reqs)

function init(args)
	local date = os.getenv("BENCH_BACKDATED") and "2015-05-05"
		or os.getenv("BENCH_TODAY")
	local body = '{"type":"approval","kind":"energy","effective_on":"'
		.. date .. '"}'
	local h = r.headers({ ["Content-Type"] = "application/json" })
	for id in io.lines(os.getenv("BENCH_HISTORY_IDS")) do
		reqs[#reqs + 1] = wrk.format("POST",
			"/api/v1/projects/" .. id .. "/events", h, body)
	end
end
