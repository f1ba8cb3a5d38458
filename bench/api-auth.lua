-- wrk script for bench/api-auth.sh. Sends BENCH_AUTHORIZATION as the Authorization header (none when unset),
-- or, with BENCH_TOKENS_FILE, each token of that file in turn. Prints one parseable line of results.
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization ~= nil and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end

local tokens_file = os.getenv("BENCH_TOKENS_FILE")
if tokens_file ~= nil and tokens_file ~= "" then
  local tokens = {}
  for line in io.lines(tokens_file) do
    tokens[#tokens + 1] = "Bearer " .. line
  end

  local next_token = 0
  function request()
    next_token = next_token % #tokens + 1
    wrk.headers["Authorization"] = tokens[next_token]
    return wrk.format()
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
