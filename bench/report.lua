-- wrk script of bench/run.py: prints one JSON line when the run is done.
-- With arguments (wrk ... -s report.lua URL -- /a/ /b/), each connection cycles
-- through those paths: the mixed soak.

local paths = {}
local counter = 0

function init(args)
  for i = 1, #args do
    paths[i] = args[i]
  end
  counter = math.random(#paths > 0 and #paths or 1)
end

function request()
  if #paths == 0 then
    return wrk.format(nil)
  end
  counter = counter % #paths + 1
  return wrk.format(nil, paths[counter])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
