-- GET /api/v1/projects?area=… (one page of 50) for random areas.
local areas = { "140802", "140821", "140822", "140823", "140824", "140825",
	"140826", "140827", "140828", "140829", "140830", "140881", "140882" }
local key = os.getenv("BENCH_KEY")
math.randomseed(os.time())
request = function()
	return wrk.format("GET", "/api/v1/projects?area=" ..
		areas[math.random(#areas)] .. "&limit=50",
		{ ["Authorization"] = "Bearer " .. key })
end
