-- wrk script for bench/api-auth.sh. Sends BENCH_AUTHORIZATION as the Authorization header (none when unset),
-- or, with BENCH_TOKENS_FILE, each token of that file in turn. With BENCH_MANY_ADDRESSES, each request claims
-- another client address in X-Forwarded-For (the bench servers trust 127.0.0.1 as their proxy). With
-- BENCH_DELAY_MS, each connection waits that long between requests, which caps the rate. Prints one parseable
-- line of results.
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization ~= nil and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end

-- BENCH_BODY: POST it as a form (introspection's token=…). BENCH_HEADER: one more header, "Name: value".
local body = os.getenv("BENCH_BODY")
if body ~= nil and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local header = os.getenv("BENCH_HEADER")
if header ~= nil and header ~= "" then
  local name, value = header:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end

local tokens = {}
local tokens_file = os.getenv("BENCH_TOKENS_FILE")
if tokens_file ~= nil and tokens_file ~= "" then
  for line in io.lines(tokens_file) do
    tokens[#tokens + 1] = "Bearer " .. line
  end
end

local many_addresses = os.getenv("BENCH_MANY_ADDRESSES") ~= nil

-- Each token's request is made once, here, not on every request: making a new string per request costs wrk (on the
-- same two cores as the server) more for distinct tokens than for one repeated, which showed as the server being
-- slower with distinct tokens.
local requests = {}
function init()
  if not many_addresses then
    for i, token in ipairs(tokens) do
      wrk.headers["Authorization"] = token
      requests[i] = wrk.format()
    end
  end
end

local next_token = 0
function request()
  if #requests > 0 then
    next_token = next_token % #requests + 1
    return requests[next_token]
  end
  if #tokens > 0 then
    next_token = next_token % #tokens + 1
    wrk.headers["Authorization"] = tokens[next_token]
  end
  if many_addresses then
    wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  end
  return wrk.format()
end

local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if delay_ms ~= nil then
  function delay()
    return delay_ms
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
