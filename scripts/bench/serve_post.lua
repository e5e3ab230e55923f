-- wrk script for scripts/bench-serve.sh: POSTs one request body, read from a file, to every connection;
-- prints a machine-readable RESULT line (requests/s, latency percentiles, non-2xx and socket errors).
-- Arguments after `--`: BODY_FILE CONTENT_TYPE [KEY]
function init(args)
  local f = assert(io.open(args[1], "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = args[2]
  if args[3] ~= nil and args[3] ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. args[3]
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f p50_us=%d p90_us=%d p99_us=%d max_us=%d requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout))
end
