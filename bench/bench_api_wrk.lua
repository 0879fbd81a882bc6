-- wrk script of bench/bench_api_wrk.py: GET one random rider's scorecard per request.
-- Arguments (after `--`): api token, number of riders, period, and optionally a file with
-- one ETag per rider (line n+1 for rider n) to send as If-None-Match.
local token, riders, period, tags

function init(args)
  token, riders, period = args[1], tonumber(args[2]), args[3]
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
  if args[4] and args[4] ~= "" then
    tags = {}
    for line in io.lines(args[4]) do tags[#tags + 1] = line end
  end
end

function request()
  local n = math.random(0, riders - 1)
  local headers = { ["Authorization"] = "Bearer " .. token }
  if tags then headers["If-None-Match"] = tags[n + 1] end
  return wrk.format("GET", string.format("/api/v1/riders/R%07d/scorecards/%s", n, period), headers)
end
