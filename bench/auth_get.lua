-- A GET of one fixed path (BENCH_PATH) with the key, built once.
local req

function init(args)
	req = wrk.format("GET", os.getenv("BENCH_PATH"),
		{ ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY") })
end

function request()
	return req
end
