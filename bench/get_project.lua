-- GET /api/v1/projects/{id} for random ids read from BENCH_IDS. The
-- requests are built once, in init, so that the client spends its CPU on
-- sending them, not on formatting (the machine is shared with the server).
local reqs = {}
local n = 0
local i = 0

function init(args)
	local key = os.getenv("BENCH_KEY")
	local ids = {}
	for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
	math.randomseed(os.time() + #ids)
	for k = 1, 20000 do
		reqs[k] = wrk.format("GET", "/api/v1/projects/" ..
			ids[math.random(#ids)],
			{ ["Authorization"] = "Bearer " .. key })
	end
	n = #reqs
end

function request()
	i = i % n + 1
	return reqs[i]
end
