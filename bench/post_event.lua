-- POST /api/v1/projects/{id}/events: an approval milestone, which the
-- rules allow on any project that is not cancelled, for random ids;
-- requests built once in init.
local reqs = {}
local n = 0
local i = 0

function init(args)
	local key = os.getenv("BENCH_KEY")
	local ids = {}
	local body = '{"type":"approval","kind":"energy","effective_on":"2024-02-01"}'
	for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
	math.randomseed(os.time() + #ids)
	for k = 1, 20000 do
		reqs[k] = wrk.format("POST", "/api/v1/projects/" ..
			ids[math.random(#ids)] .. "/events",
			{ ["Authorization"] = "Bearer " .. key,
			  ["Content-Type"] = "application/json" }, body)
	end
	n = #reqs
end

function request()
	i = i % n + 1
	return reqs[i]
end
