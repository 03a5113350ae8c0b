-- POST /api/v1/projects/{id}/events: an approval milestone, which the
-- rules allow on any project that is not cancelled, for random ids.
local r = require "bench.requests"
local reqs = {}
request = r.cycle(reqs)

function init(args)
	local body = '{"type":"approval","kind":"energy","effective_on":"2024-02-01"}'
	local h = r.headers({ ["Content-Type"] = "application/json" })
	for k, id in ipairs(r.random_ids(20000)) do
		reqs[k] = wrk.format("POST", "/api/v1/projects/" .. id .. "/events",
			h, body)
	end
end
