-- POST /api/v1/projects/{id}/events: an approval milestone, which the
-- rules allow on any project that is not cancelled, for random ids.
local ids = {}
local key = os.getenv("BENCH_KEY")
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
math.randomseed(os.time())
local body = '{"type":"approval","kind":"energy","effective_on":"2024-02-01"}'
request = function()
	local id = ids[math.random(#ids)]
	return wrk.format("POST", "/api/v1/projects/" .. id .. "/events",
		{ ["Authorization"] = "Bearer " .. key,
		  ["Content-Type"] = "application/json" }, body)
end
