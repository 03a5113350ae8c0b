-- POST /api/v1/reports/batch: 200 reports a request, as a field client's
-- queue comes in (issue 12), each with an id never sent before, on
-- projects drawn at random, so that every report is stored (a resend
-- would be answered unchanged, and measure less). The bodies are built
-- per request, not in init: each must be new, and 200 small records are
-- little for the client to join.
local r = require "bench.requests"
local ids, head, n = {}, nil, 0
local thread_tag = math.random(0, 0xffff)

function init(args)
	ids = r.random_ids(20000)
	thread_tag = (os.time() * 7 + #ids + math.random(0, 0xffff)) % 0x10000
	head = r.headers({ ["Content-Type"] = "application/json" })
end

function request()
	local parts = {}
	for k = 1, 200 do
		n = n + 1
		parts[k] = string.format('{"id":"ba7c4000-%04x-4000-8000-%012x",' ..
			'"project_id":"%s","observed_at":"2024-06-01T10:00:00+08:00",' ..
			'"progress_pct":%d}', thread_tag, n, ids[n % #ids + 1], n % 100)
	end
	return wrk.format("POST", "/api/v1/reports/batch", head,
		'{"reports":[' .. table.concat(parts, ",") .. ']}')
end
