-- requests.lua: what the bench's wrk scripts share, loaded with
-- require "bench.requests" (make bench runs wrk from the repository's
-- root). Requests are built once, in init, so that the client spends its
-- CPU sending them, not formatting them: the machine is shared with the
-- server.
local M = {}

-- The bench key's Authorization header, with the extra headers given.
function M.headers(extra)
	local h = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY") }
	for k, v in pairs(extra or {}) do h[k] = v end
	return h
end

-- n project ids drawn at random from the file named by BENCH_IDS.
function M.random_ids(n)
	local ids, out = {}, {}
	for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
	math.randomseed(os.time() + #ids)
	for k = 1, n do out[k] = ids[math.random(#ids)] end
	return out
end

-- A request() that sends the requests of reqs in turn. It must be set at
-- the top of a script (wrk looks for request before init has run), so
-- reqs is filled later, in init.
function M.cycle(reqs)
	local i = 0
	return function()
		i = i % #reqs + 1
		return reqs[i]
	end
end

return M
