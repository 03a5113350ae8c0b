-- GET /api/v1/projects/{id} for random ids read from ids.txt.
local ids = {}
local key = os.getenv("BENCH_KEY")
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
math.randomseed(os.time())
request = function()
	local id = ids[math.random(#ids)]
	return wrk.format("GET", "/api/v1/projects/" .. id,
		{ ["Authorization"] = "Bearer " .. key })
end
