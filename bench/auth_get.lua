-- A GET of one fixed path (BENCH_PATH) with the key.
local key = os.getenv("BENCH_KEY")
local path = os.getenv("BENCH_PATH")
request = function()
	return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. key })
end
