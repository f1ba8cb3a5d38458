#!/usr/bin/env bash
# Token authentication under HTTP load, against the real app (Release, Production): requests per second, latency
# and server CPU per request of GET /api/v1/me with a valid, a malformed, a bad-checksum, a made-up (right
# checksum, no tag) and a deleted BeatPass token, and of GET /api/v1/tokens with a valid token that lacks its
# permission (403), next to an anonymous endpoint of the same shape and to ASP.NET Core Identity's bearer tokens;
# cache misses over 5,000 distinct valid tokens, with 5,000 and with 1,000,000 tokens in the database; and valid
# tokens during a flood of made-up ones from many addresses, and 20,000 distinct made-up tokens in turn. Then:
# last-used writes, first uses, a node restarted under load from 10,000 distinct tokens, revocation under load,
# memory (and what 100,000 cached tokens cost); and the valid token on a server with metrics and tracing on. And
# each kind of request in-process, without wrk or a socket (PipelineTimer), to show what it costs the server alone.
#   bench/api-auth.sh                       on SQLite (a file in /tmp)
#   bench/api-auth.sh --provider PostgreSQL on a throwaway PostgreSQL cluster (tools/postgres-cluster.sh)
# Prints one table and exits 1 when a target is missed. About ten minutes. See bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/wait-for-health.sh

provider=Sqlite
case "${1:-}" in
  "") ;;
  --provider) provider=${2:-}; [[ $provider == Sqlite || $provider == PostgreSQL ]] || { echo "--provider is Sqlite or PostgreSQL" >&2; exit 2; } ;;
  *) echo "usage: bench/api-auth.sh [--provider Sqlite|PostgreSQL]" >&2; exit 2 ;;
esac
if [[ $provider == PostgreSQL ]]; then
  source tools/postgres-cluster.sh
  start_postgres_cluster
fi

RUNS=${RUNS:-9}                 # rounds; each runs every scenario once, in turn, so noise hits all alike
DURATION=${DURATION:-3}         # seconds per run
WARMUP=${WARMUP:-2}             # seconds per scenario before the first round
CONNECTIONS=${CONNECTIONS:-32}  # wrk -t1 -cN: one load thread, it shares the two cores with the server
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-8} # the unknown-token flood: N connections, each waiting FLOOD_DELAY_MS
FLOOD_DELAY_MS=${FLOOD_DELAY_MS:-2}       # between requests, from a new client address each time
LUA=bench/api-auth.lua

if ! command -v wrk > /dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk > /dev/null
fi

work=$(mktemp -d /tmp/beatpass-api-auth-XXXXXX)
declare -A url pid
stop_server() {
  kill "${pid[$1]}" 2> /dev/null && wait "${pid[$1]}" 2> /dev/null || true
  unset "pid[$1]"
}
cleanup() {
  for name in "${!pid[@]}"; do stop_server "$name"; done
  rm -rf "$work"
  if [[ $provider == PostgreSQL ]]; then stop_postgres_cluster; fi
}
trap cleanup EXIT

echo "Publishing the bench host (Release)..."
dotnet publish bench/ApiAuthHost/ApiAuthHost.csproj -c Release -o "$work/host" --nologo -v quiet > "$work/publish.log" \
  || { cat "$work/publish.log"; exit 1; }

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null || { echo "$port"; return; }
  done
}

# start_server NAME [KEY=VALUE...]: the product in Production on database NAME.db, logging warnings and errors,
# with its own appsettings.json (the published folder is its content root, as when deployed).
start_server() {
  local name=$1 port
  shift
  port=$(free_port)
  # The failed-authentication rate limit is lifted: the refused-token scenarios measure the work of refusing
  # a token, not of answering 429 to an address that has been limited (cheaper still). 127.0.0.1 is trusted as
  # a proxy, so the flood can come from many client addresses.
  # Production refuses to start without email settings: the bench writes its mail to a folder.
  # Each server its own database: a file in $work (the server migrates it), or a database of the cluster.
  local database=(ConnectionStrings__BeatPass="Data Source=$work/$name.db")
  if [[ $provider == PostgreSQL ]]; then
    database=(ConnectionStrings__BeatPass="${BEATPASS_POSTGRES/Database=postgres/Database=bench_$name}" Database__Provider=PostgreSQL)
    # As a deployment does: make the database and run `migrate` once, before the server starts on it. (EF Core logs
    # its probe of a new database's history table as a failed command; that probe is not the bench's business.)
    if "${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "bench_$name" 2> /dev/null; then
      env "${database[@]}" Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command=None \
        bash -c 'cd "$1" && ./ApiAuthHost migrate' _ "$work/host" > /dev/null
    fi
  fi
  env "${database[@]}" Logging__LogLevel__Default=Warning \
    App__PublicUrl="http://127.0.0.1:$port" Email__Delivery=Pickup Email__From="BeatPass <bench@beatpass.test>" \
    Email__PickupDirectory="$work/mail" \
    ApiRateLimit__FailuresPerWindow=2000000000 ForwardedHeaders__KnownProxies__0=127.0.0.1 "$@" \
    "$work/host/ApiAuthHost" --contentRoot "$work/host" --urls "http://127.0.0.1:$port" >> "$work/$name.log" 2>&1 &
  pid[$name]=$!
  url[$name]="http://127.0.0.1:$port"
  wait_for_health "${url[$name]}" "$work/$name.log" || exit 1
}

# seeded_server NAME TOKENS KNOWN FRESH [KEY=VALUE...]: a server over TOKENS tokens, KNOWN + FRESH of them with a
# plaintext the harness keeps: KNOWN with their last use recorded ahead of the clock (so no last-used write ever falls
# due), FRESH never used (see BenchSeeder). It seeds, then starts again, so that seeding leaves nothing in its memory.
seeded_server() {
  local name=$1 tokens=$2 known=$3 fresh=$4
  shift 4
  start_server "$name" "$@"
  curl -sf -X POST "${url[$name]}/api/bench/seed?tokens=$tokens&known=$known&fresh=$fresh" > "$work/$name.seed"
  stop_server "$name"
  start_server "$name" "$@"
}
seeded() { awk -v key="$2" -v field="$3" '$1 == key { print $field }' "$work/$1.seed"; }

# add_service SERVER NAME: registers a service on SERVER's database with the product's own command, as an operator
# would; prints client_id:client_secret.
add_service() {
  local database=(ConnectionStrings__BeatPass="Data Source=$work/$1.db")
  if [[ $provider == PostgreSQL ]]; then
    database=(ConnectionStrings__BeatPass="${BEATPASS_POSTGRES/Database=postgres/Database=bench_$1}" Database__Provider=PostgreSQL)
  fi
  env "${database[@]}" Logging__LogLevel__Default=Warning bash -c 'cd "$1" && ./ApiAuthHost add-service "$2"' _ "$work/host" "$2" 2> /dev/null \
    | awk '/^client_id:/ { id = $2 } /^client_secret:/ { secret = $2 } END { print id ":" secret }'
}

memory() { awk -v key="$2:" '$1 == key { printf "%.0f", $2 / 1024 }' "/proc/${pid[$1]}/status"; } # MiB
heap() { curl -sf "${url[$1]}/api/bench/heap" | awk '{ printf "%.1f", $1 / 1048576 }'; } # MiB live after a full GC
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/${pid[$1]}/stat"; } # user + system, 1/100 s

# load SERVER PATH AUTHORIZATION SECONDS [BODY] [HEADER]: one wrk run; prints wrk's RESULT line plus the server's CPU
# ticks. AUTHORIZATION @FILE sends each token of FILE in turn; a BODY is POSTed as a form; HEADER is one more header.
load() {
  local before result authorization=$3 tokens_file=""
  if [[ $3 == @* ]]; then tokens_file=${3#@} authorization=""; fi
  before=$(cpu_ticks "$1")
  result=$(BENCH_AUTHORIZATION=$authorization BENCH_TOKENS_FILE=$tokens_file BENCH_BODY=${5:-} BENCH_HEADER=${6:-} \
    wrk -t1 -c"$CONNECTIONS" -d"$4s" -s "$LUA" "${url[$1]}$2" | grep '^RESULT')
  echo "$result cpu_ticks=$(($(cpu_ticks "$1") - before))"
}
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<< "$2"; }

# The two cache-miss servers hold 10,000 and 100,000 tokens with a known plaintext each, but room in the cache for
# 1,000 only: sent in turn, every one is looked up in the database. They differ in how many tokens the table holds.
# The misses server also holds tokens never used, for the first-use figure (lookup and last-used write): a slice of
# FIRST_USE_WARMUP for warming up, then one of FIRST_USE_SLICE for each measured run. The large server's 100,000 measure
# what a full default cache costs, at the end. The slices leave room for 35,000 first uses a second in the warm-up and
# 30,000 in a run (21,000 to 26,000 seen). Five runs, so that their median stands even when two meet a burst of other
# work on the machine (the runs of three before swung 0.40 to 0.56 within one bench); the table holds 530,004 tokens
# (350,004 with three runs, in the figures before 8 December 2026).
FIRST_USE_ROUNDS=5 FIRST_USE_SECONDS=3 FIRST_USE_WARMUP=70000 FIRST_USE_SLICE=90000
MISSES=10000 FRESH=$((FIRST_USE_WARMUP + FIRST_USE_ROUNDS * FIRST_USE_SLICE)) LARGE_KNOWN=100000
echo "On $provider. Seeding and starting three servers: 1,000 tokens (small), $((MISSES + FRESH)) (misses) and 1,000,000 (large)..."
seeded_server small 1000 0 0
# The same with an operator watching: metrics on the management address, and requests traced and their spans
# exported over OTLP/HTTP (sampled as shipped: one trace in ten) to a collector that takes and drops them.
sink_port=$(free_port)
python3 -c '
import http.server, sys
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
' "$sink_port" &
pid[sink]=$!
seeded_server observed 1000 0 0 Management__Urls="http://127.0.0.1:$(free_port)" \
  OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
# Its last-used writer runs every half second, not every 5 s as shipped, so that a first-use run of a few seconds bears
# the cost of writing (nearly) all the uses it made, as a long run at any interval does; its known tokens' last use is
# ahead of the clock, so the other runs on it write nothing.
seeded_server misses $((MISSES + FRESH + 4)) "$MISSES" "$FRESH" ApiTokens__CacheCapacity=1000 ApiTokens__LastUsedWriteInterval=00:00:00.5
started=$(date +%s)
seeded_server large 1000000 "$LARGE_KNOWN" 0 ApiTokens__CacheCapacity=1000
echo "  1,000,000 tokens seeded and the server up again in $(($(date +%s) - started)) s."
seeded misses known 2 > "$work/misses-tokens"
seeded large known 2 > "$work/large-tokens"
seeded misses fresh 2 > "$work/fresh-tokens"

valid=$(seeded small valid 3)
last=${valid: -1}
bad_checksum=${valid:0:42}$([[ $last == A ]] && echo B || echo A) # right shape, wrong CRC32
valid_first_used=$(date +%s)
# Without a User-Agent, as wrk sends: a new caller (address or user agent) is noted at once, not after the minute,
# and the write-gap check below is about one caller's repeated use.
identity=$(curl -sf -A '' -X POST -H "Authorization: Bearer $valid" "${url[small]}/api/bench/identity-token" \
  | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')

# name | server | path | Authorization | expected status. In each round they run in this order, so that each
# scenario runs close in time to the one its target compares it with.
# Two more fields when needed: a form body to POST, and one more header.
ANONYMOUS=0 VALID=1 FORBIDDEN=2 MALFORMED=3 BAD_CHECKSUM=4 IDENTITY=5 MISSES_SMALL=6 MISSES_LARGE=7 UNKNOWN=8 HEALTH=9 DELETED=10 FLOOD=11 MADE_UP=12 OBSERVED=13 INTROSPECTION=14 CHECK=15
service=$(add_service small bench-introspection)
[[ $service == bpsc_*:bpss_* ]] || { echo "add-service did not print a client id and secret; stopping."; exit 1; }
awk '$1 == "flood" { print $2 }' "$work/small.seed" > "$work/flood-tokens"
scenarios=(
  "anonymous JSON|small|/api/bench/anonymous-me||200"
  "valid token (checks account:read)|small|/api/v1/me|Bearer $valid|200"
  "valid token lacking tokens:read (403)|small|/api/v1/tokens|Bearer $valid|403"
  "malformed token|small|/api/v1/me|Bearer bpat_not-a-token|401"
  "bad-checksum token|small|/api/v1/me|Bearer $bad_checksum|401"
  "Identity bearer token (decrypted every time)|small|/api/bench/identity-me|Bearer $identity|200"
  "valid tokens, all cache misses (lookup), $((MISSES + FRESH)) in DB|misses|/api/v1/me|@$work/misses-tokens|200"
  "valid tokens, all cache misses (lookup), 1M in DB|large|/api/v1/me|@$work/large-tokens|200"
  "unknown token (right checksum)|small|/api/v1/me|Bearer $(seeded small unknown 2)|401"
  "/health (DB check)|small|/health||200"
  "deleted token (replayed)|small|/api/v1/me|Bearer $(seeded small deleted 3)|401"
  "valid token, unknown-token flood|small|/api/v1/me|Bearer $valid|200"
  "made-up tokens (right checksum), 20,000 distinct in turn|small|/api/v1/me|@$work/flood-tokens|401"
  "valid token, metrics and tracing on (sampled as shipped, spans exported)|observed|/api/v1/me|Bearer $(seeded observed valid 3)|200"
  "introspection of a valid token (a service, HTTP Basic)|small|/oauth/introspect|Basic $(printf '%s' "$service" | base64 -w0)|200|token=$(seeded small introspected 3)"
  "gateway check of a valid token (/auth/check, X-Required-Permission)|small|/auth/check|Bearer $valid|204||X-Required-Permission: account:read"
)

# flood SERVER SECONDS: made-up tokens (right checksum, no tag), 20,000 in turn, each request from a new address.
flood() {
  BENCH_TOKENS_FILE="$work/flood-tokens" BENCH_MANY_ADDRESSES=1 BENCH_DELAY_MS=$FLOOD_DELAY_MS \
    wrk -t1 -c"$FLOOD_CONNECTIONS" -d"$2s" -s "$LUA" "${url[$1]}/api/v1/me" | grep '^RESULT'
}
: > "$work/flood-results"

for scenario in "${scenarios[@]}"; do
  IFS='|' read -r name server path authorization status body header <<< "$scenario"
  [[ $authorization == @* ]] && authorization="Bearer $(head -1 "${authorization#@}")"
  got=$(curl -s -A '' -o /dev/null -w '%{http_code}' ${authorization:+-H "Authorization: $authorization"} ${body:+-d "$body"} \
    ${header:+-H "$header"} "${url[$server]}$path")
  [[ $got == "$status" ]] || { echo "$name answers $got, not $status; stopping."; exit 1; }
done

echo "Warming up, then $RUNS rounds of ${DURATION} s per scenario (wrk -t1 -c$CONNECTIONS), interleaved..."
failures=()
load_average=$(cut -d' ' -f1 /proc/loadavg)
for scenario in "${scenarios[@]}"; do
  IFS='|' read -r name server path authorization status body header <<< "$scenario"
  load "$server" "$path" "$authorization" "$WARMUP" "$body" "$header" > /dev/null
done

: > "$work/results"
rounds_memory=()
rounds_heap=()
rounds_misses=()
for round in $(seq "$RUNS"); do
  for i in "${!scenarios[@]}"; do
    IFS='|' read -r name server path authorization status body header <<< "${scenarios[$i]}"
    if ((i == FLOOD)); then
      flood "$server" $((DURATION + 2)) >> "$work/flood-results" &
      flood_pid=$!
      sleep 1 # the flood is under way before the measured run starts, and goes on after it ends
      result=$(load "$server" "$path" "$authorization" "$DURATION")
      wait "$flood_pid"
    else
      result=$(load "$server" "$path" "$authorization" "$DURATION" "$body" "$header")
    fi
    # The last uses this run noted are written now, between runs, not in the next scenario's measured seconds (on
    # PostgreSQL the misses servers' writes made the unknown-token row after them look slower than it is). Their cost
    # is measured where it belongs: the first uses, below.
    curl -sf -X POST "${url[$server]}/api/bench/write-uses" > /dev/null
    requests=$(field requests "$result")
    non2xx=$(field non2xx "$result")
    errors=$(field socket_errors "$result")
    if [[ $status == 2* && $non2xx != 0 ]] || [[ $status != 2* && $non2xx != "$requests" ]] || [[ $errors != 0 ]]; then
      failures+=("$name, round $round: $non2xx of $requests responses not 2xx, $errors socket errors (expected all $status)")
    fi
    echo "$i $round $requests $(field duration_us "$result") $(field p50_us "$result") $(field p99_us "$result") $(field cpu_ticks "$result")" >> "$work/results"
  done
  rounds_memory+=("$(memory small VmRSS) $(memory large VmRSS)")
  rounds_heap+=("$(heap small) $(heap large)")
  rounds_misses+=("$(curl -sf "${url[misses]}/api/bench/cache" | awk '{ print $2 }') entries, $(heap misses) MiB live, $(memory misses VmRSS) MiB working set")
done
load_average+=" at the start, $(cut -d' ' -f1 /proc/loadavg) at the end"

# Per scenario: median requests/s and its range over the runs, median p50 and p99 (ms), median server CPU per
# request (µs).
MEDIAN='
  function median(values, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && values[j - 1] > values[j]; j--) { t = values[j]; values[j] = values[j - 1]; values[j - 1] = t }
    return n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2
  }'
summary=$(awk "$MEDIAN"'
  { k = $1; i = ++n[k]; rps[k, i] = $3 / ($4 / 1e6); p50[k, i] = $5 / 1000; p99[k, i] = $6 / 1000; cpu[k, i] = $7 * 10000 / $3 }
  END {
    for (k = 0; k in n; k++) {
      lo = hi = rps[k, 1]
      for (i = 1; i <= n[k]; i++) {
        a[i] = rps[k, i]; b[i] = p50[k, i]; c[i] = p99[k, i]; d[i] = cpu[k, i]
        if (a[i] < lo) lo = a[i]
        if (a[i] > hi) hi = a[i]
      }
      printf "%d %.0f %.0f %.0f %.2f %.2f %.1f\n", k, median(a, n[k]), lo, hi, median(b, n[k]), median(c, n[k]), median(d, n[k])
    }
  }' "$work/results")

# ratio A B: requests/s of scenario A over those of scenario B, in the same round; the median over the rounds.
# Pairing runs a few seconds apart cancels most of what other work on the machine does to both.
ratio() {
  awk -v a="$1" -v b="$2" "$MEDIAN"'
    { rps[$1, $2] = $3 / ($4 / 1e6); if ($2 > rounds) rounds = $2 }
    END { for (r = 1; r <= rounds; r++) q[r] = rps[a, r] / rps[b, r]; printf "%.2f", median(q, rounds) }' "$work/results"
}
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
# target RATIO MINIMUM DESCRIPTION: the target and its verdict, two table cells.
target() { printf '%s: %s | %s' "$3" "$1" "$(at_least "$1" "$2" && echo pass || echo MISSED)"; }

# All misses: the issue's bound, lower on PostgreSQL, whose server shares the two cores with the app and wrk.
MISS_TARGET=$([[ $provider == PostgreSQL ]] && echo 0.3 || echo 0.5)
echo
echo "| scenario | requests/s | range of $RUNS runs | p50 ms | p99 ms | server CPU µs/request | × anonymous | target: ratio | pass |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
for i in "${!scenarios[@]}"; do
  IFS='|' read -r name _ <<< "${scenarios[$i]}"
  read -r _ median lo hi p50 p99 cpu <<< "$(awk -v k="$i" '$1 == k' <<< "$summary")"
  case $i in
    "$ANONYMOUS") verdict="baseline | -" ;;
    "$VALID") verdict=$(target "$(ratio "$VALID" "$ANONYMOUS")" 0.9 "≥ 0.9 × anonymous") ;;
    "$MALFORMED" | "$BAD_CHECKSUM") verdict=$(target "$(ratio "$i" "$ANONYMOUS")" 0.9 "≥ 0.9 × anonymous") ;;
    "$IDENTITY") verdict=$(target "$(ratio "$VALID" "$IDENTITY")" 1.0 "valid token, a cache hit, ≥ 1.0 × this") ;;
    "$MISSES_SMALL") verdict=$(target "$(ratio "$MISSES_SMALL" "$ANONYMOUS")" "$MISS_TARGET" "≥ $MISS_TARGET × anonymous (× Identity bearer: $(ratio "$MISSES_SMALL" "$IDENTITY"))") ;;
    "$MISSES_LARGE") verdict=$(target "$(ratio "$MISSES_LARGE" "$MISSES_SMALL")" 0.9 "≥ 0.9 × misses with $((MISSES + FRESH + 4)) in DB") ;;
    "$UNKNOWN" | "$DELETED" | "$MADE_UP") verdict=$(target "$(ratio "$i" "$ANONYMOUS")" 0.9 "≥ 0.9 × anonymous") ;;
    "$HEALTH") verdict="- (checks the database) | -" ;;
    "$FLOOD") verdict=$(target "$(ratio "$FLOOD" "$VALID")" 0.8 "≥ 0.8 × valid token, quiet") ;;
    "$FORBIDDEN") verdict=$(target "$(ratio "$FORBIDDEN" "$VALID")" 0.9 "≥ 0.9 × valid token: refusing costs no more than serving") ;;
    "$INTROSPECTION" | "$CHECK") verdict=$(target "$(ratio "$i" "$ANONYMOUS")" 0.85 "≥ 0.85 × anonymous (× valid token: $(ratio "$i" "$VALID"))") ;;
    "$OBSERVED") verdict=$(target "$(ratio "$OBSERVED" "$ANONYMOUS")" 0.9 "≥ 0.9 × anonymous (× valid token untraced: $(ratio "$OBSERVED" "$VALID"))") ;;
  esac
  [[ $verdict == *MISSED ]] && failures+=("$name: ${verdict% | MISSED}")
  printf '| %s | %s | %s–%s | %s | %s | %s | %s | %s |\n' "$name" "$median" "$lo" "$hi" "$p50" "$p99" "$cpu" \
    "$(ratio "$i" "$ANONYMOUS")" "$verdict"
done
flood_rate=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } n++; total += v["requests"] / (v["duration_us"] / 1e6); refused += v["non2xx"]; all += v["requests"] }
  END { printf "%.0f requests/s on average over %d floods, %d of %d refused", total / n, n, refused, all }' "$work/flood-results")
echo
echo "The flood (wrk -c$FLOOD_CONNECTIONS, ${FLOOD_DELAY_MS} ms between requests per connection, a new X-Forwarded-For each): $flood_rate."
echo "Machine load average (1 min) during the rounds: $load_average (2 cores: the server and wrk alone make about 2)."

# The same kinds of request without wrk, Kestrel or a socket: the misses server's own middleware called in-process,
# one request at a time (PipelineTimer), so what each costs the server shows without the load generator's noise.
echo
echo "In-process on the misses server (its middleware pipeline called directly, one request at a time), µs per request, median of 9 rounds of 10,000 each:"
echo
echo "| request | µs | range of 9 rounds | bytes allocated | × anonymous |"
echo "| --- | ---: | ---: | ---: | ---: |"
curl -sf -X POST "${url[misses]}/api/bench/pipeline?rounds=9&requests=10000" --data-binary "@$work/misses.seed" \
  | awk -F'|' '{ printf "| %s | %s | %s–%s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }'

echo
echo "Last used:"
writes_id=$(seeded small writes 2)
load small /api/v1/me "Bearer $(seeded small writes 3)" 10 > /dev/null
read -r _ writes _ values <<< "$(curl -sf "${url[small]}/api/bench/last-used-writes?tokenId=$writes_id")"
echo "  10 s of load on a token never used before: LastUsedAt written $writes time(s) ($values)"
((writes <= 1)) || failures+=("last used written $writes times in 10 s of load")
read -r _ writes _ values <<< "$(curl -sf "${url[small]}/api/bench/last-used-writes?tokenId=$(seeded small valid 2)")"
gaps=$(tr ',' '\n' <<< "$values" | while read -r value; do date -d "$value" +%s.%N 2> /dev/null || true; done \
  | awk 'NR > 1 { printf "%s%.1f", sep, $1 - previous; sep = ", " } { previous = $1 }')
echo "  the valid token, in use for $(($(date +%s) - valid_first_used)) s: written $writes time(s), seconds between writes: ${gaps:--}"
awk -v gaps="$gaps" 'BEGIN { n = split(gaps, g, ", "); for (i = 1; i <= n; i++) if (g[i] < 60) exit 1 }' \
  || failures+=("last used of the valid token written twice within a minute: $gaps s apart")

# First uses: each request a token this node has not seen and nobody used this minute, so a lookup and a last-used
# note, written in the background (every half second on this server: see above, so the run bears the writes' cost).
# Warmed up on a slice of their own as the other scenarios are, then FIRST_USE_ROUNDS runs on fresh slices, each next to
# an anonymous run just before it; what waits after a run is written before the next.
rate() { awk -v r="$(field requests "$1")" -v d="$(field duration_us "$1")" 'BEGIN { printf "%.0f", r / (d / 1e6) }'; }
ms() { awk -v v="$(field "$1" "$2")" 'BEGIN { printf "%.2f", v / 1000 }'; }
first_use_run() { # first_use_run SLICE_START SLICE_SIZE SECONDS: prints the wrk result, and fails the bench if it ran out
  sed -n "$(($1 + 1)),$(($1 + $2))p" "$work/fresh-tokens" > "$work/fresh-slice"
  local result
  result=$(load misses /api/v1/me "@$work/fresh-slice" "$3")
  curl -sf -X POST "${url[misses]}/api/bench/write-uses" > /dev/null
  echo "$result"
}
warmup=$(first_use_run 0 "$FIRST_USE_WARMUP" 2)
((FIRST_USE_WARMUP >= $(field requests "$warmup"))) || failures+=("first uses: the warm-up ran out of fresh tokens (raise FIRST_USE_WARMUP)")
first_ratios=() first_lines=()
for ((round = 0; round < FIRST_USE_ROUNDS; round++)); do
  anonymous=$(load small /api/bench/anonymous-me "" "$FIRST_USE_SECONDS")
  result=$(first_use_run $((FIRST_USE_WARMUP + round * FIRST_USE_SLICE)) "$FIRST_USE_SLICE" "$FIRST_USE_SECONDS")
  requests=$(field requests "$result")
  first_ratios+=("$(awk -v a="$(rate "$result")" -v b="$(rate "$anonymous")" 'BEGIN { printf "%.2f", a / b }')")
  first_lines+=("$(rate "$result") requests/s against $(rate "$anonymous") anonymous (${first_ratios[-1]}), p99 $(ms p99_us "$result") ms")
  ((requests <= FIRST_USE_SLICE)) || failures+=("first uses: $requests requests for $FIRST_USE_SLICE fresh tokens, so the last $((requests - FIRST_USE_SLICE)) were not first uses (raise FIRST_USE_SLICE)")
  [[ $(field non2xx "$result") == 0 ]] || failures+=("first uses: $(field non2xx "$result") of $requests not 200")
  at_least 25 "$(ms p99_us "$result")" || failures+=("first uses: p99 $(ms p99_us "$result") ms, not ≤ 25")
done
first_ratio=$(printf '%s\n' "${first_ratios[@]}" | awk "$MEDIAN"'{ v[NR] = $1 } END { printf "%.2f", median(v, NR) }')
echo "  first uses (never-used tokens in turn, $FIRST_USE_SECONDS s a run, each a cache miss and a last-used note, written meanwhile):" \
  "median ratio $first_ratio (target ≥ 0.45, p99 ≤ 25 ms); runs: $(printf '%s; ' "${first_lines[@]}" | sed 's/; $//')"
at_least "$first_ratio" 0.45 || failures+=("first uses: $first_ratio × anonymous (median of $FIRST_USE_ROUNDS), not ≥ 0.45")

# A node that starts under load: the misses server restarted with the default cache, and load from its 10,000
# distinct tokens from the moment it answers. Two runs back to back: the first 5 s, and the 5 s after them.
echo
echo "Restart under load ($MISSES distinct tokens, wrk -c$CONNECTIONS from the moment the node answers /health):"
stop_server misses
start_server misses
cold=$(load misses /api/v1/me "@$work/misses-tokens" 5)
warm=$(load misses /api/v1/me "@$work/misses-tokens" 5)
echo "  first 5 s: $(rate "$cold") requests/s, p50 $(ms p50_us "$cold") ms, p99 $(ms p99_us "$cold") ms, $(field non2xx "$cold") not 200"
echo "  next 5 s: $(rate "$warm") requests/s, p50 $(ms p50_us "$warm") ms, p99 $(ms p99_us "$warm") ms, $(field non2xx "$warm") not 200 (target: p99 < 50 ms)"
echo "  cache then: $(curl -sf "${url[misses]}/api/bench/cache")"
[[ $(field non2xx "$cold") == 0 && $(field non2xx "$warm") == 0 ]] || failures+=("restart: not every request answered 200")
awk -v p="$(ms p99_us "$warm")" 'BEGIN { exit !(p < 50) }' || failures+=("restart: p99 $(ms p99_us "$warm") ms after the first 5 s, not < 50")

echo
echo "Revocation under load (wrk on one token for 10 s; its owner deletes it after 4 s; then 200 requests with it):"
revoked=$(seeded small revoke 3)
load small /api/v1/me "Bearer $revoked" 10 > "$work/revoke.result" &
wrk_pid=$!
sleep 4
deleted=$(curl -s -o /dev/null -w '%{http_code} in %{time_total} s' -X POST \
  "${url[small]}/api/bench/delete-token?userId=$(seeded small user 2)&tokenId=$(seeded small revoke 2)")
after=()
for _ in $(seq 200); do after+=("${url[small]}/api/v1/me" -o /dev/null); done
codes=$(curl -s -w '%{http_code}\n' -H "Authorization: Bearer $revoked" "${after[@]}")
wait "$wrk_pid"
accepted=$(grep -vc '^401$' <<< "$codes" || true)
result=$(cat "$work/revoke.result")
echo "  delete answered $deleted; after it, $accepted of 200 requests were not 401"
echo "  wrk meanwhile: $(field requests "$result") requests, $(field non2xx "$result") of them refused"
[[ $deleted == 204* && $accepted == 0 ]] || failures+=("revocation: delete answered $deleted, then $accepted of 200 requests not 401")

echo
echo "Memory (MiB):"
rounds=""
for pair in "${rounds_memory[@]}"; do rounds+="${pair/ / \/ }; "; done
echo "  working set after each round, small / large: ${rounds%; }"
echo "  peak working set, small / large: $(memory small VmHWM) / $(memory large VmHWM)"
heaps=""
for pair in "${rounds_heap[@]}"; do heaps+="${pair/ / \/ }; "; done
echo "  live managed heap after a full collection, after each round, small / large: ${heaps%; }"
# A leak grows the live heap; the working set also rises and falls with garbage the server GC has not collected.
read -r first_small first_large <<< "${rounds_heap[0]}"
read -r last_small last_large <<< "${rounds_heap[-1]}"
if ! awk -v a="$first_small" -v b="$last_small" -v c="$first_large" -v d="$last_large" 'BEGIN { exit !(b <= a * 1.1 + 1 && d <= c * 1.1 + 1) }'; then
  failures+=("live heap grew by more than 10% (and 1 MiB) from the first round to the last")
fi

# The cache-miss server churned its cache all along: more distinct tokens than it may hold.
echo "  cache churned (capacity 1,000; $MISSES distinct valid tokens in turn), after each round: $(printf '%s; ' "${rounds_misses[@]}" | sed 's/; $//')"
echo "  peak working set of that server since its restart under load (default cache): $(memory misses VmHWM)"
first_churn=$(awk -F', ' '{ print $2 + 0 }' <<< "${rounds_misses[0]}")
last_churn=$(awk -F', ' '{ print $2 + 0 }' <<< "${rounds_misses[-1]}")
awk -v a="$first_churn" -v b="$last_churn" 'BEGIN { exit !(b <= a * 1.1 + 1) }' \
  || failures+=("churned server's live heap grew from $first_churn to $last_churn MiB")

# What a full default cache costs: the large server restarted with room for 100,000 entries, its 100,000 known
# tokens sent until all are cached, then the live heap with them and after emptying the cache.
stop_server large
start_server large
for _ in 1 2 3 4 5 6; do
  load large /api/v1/me "@$work/large-tokens" 20 > /dev/null
  entries=$(curl -sf "${url[large]}/api/bench/cache" | awk '{ print $2 }')
  ((entries < LARGE_KNOWN)) || break
done
with_entries=$(curl -sf "${url[large]}/api/bench/heap")
curl -sf -X POST "${url[large]}/api/bench/cache/clear"
without=$(curl -sf "${url[large]}/api/bench/heap")
echo "  $entries cached tokens: live heap $(awk -v b="$with_entries" 'BEGIN { printf "%.1f", b / 1048576 }') MiB, after emptying the cache" \
  "$(awk -v b="$without" 'BEGIN { printf "%.1f", b / 1048576 }') MiB: $(awk -v a="$with_entries" -v b="$without" -v n="$entries" 'BEGIN { printf "%.0f", (a - b) / n }') bytes per entry"

echo
locked=$(cat "$work"/*.log | grep -c 'database is locked' || true)
# wrk ends a run with requests in flight; the health check logs their cancellation as an error. Count them apart.
read -r errors aborted <<< "$(cat "$work"/*.log | awk '
  /^(fail|crit):/ { errors++; next_line = 1; next }
  next_line { if (/The operation was canceled/) aborted++; next_line = 0 }
  END { print errors + 0, aborted + 0 }')"
echo "Server logs: $locked 'database is locked'; $errors errors logged, $aborted of them requests cancelled as wrk stopped."
if ((locked > 0 || errors > aborted)); then
  failures+=("server logs: $locked 'database is locked', $((errors - aborted)) other errors")
  grep -hE -A5 '^(fail|crit):' "$work"/*.log | head -60
fi

echo
if ((${#failures[@]} == 0)); then
  echo "All targets met."
else
  echo "Missed:"
  printf '  %s\n' "${failures[@]}"
  exit 1
fi
