#!/usr/bin/env bash
# Token authentication under HTTP load, against the real app (Release, Production, SQLite in /tmp): requests
# per second and latency of GET /api/v1/me with a valid, a malformed and a bad-checksum BeatPass token, next to
# an anonymous endpoint of the same shape and to ASP.NET Core Identity's bearer tokens, with 1,000 and with
# 1,000,000 tokens in the database. Then: last-used writes, revocation under load, memory. Prints one table
# and exits 1 when a target is missed. About six minutes. See bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}                 # rounds; each runs every scenario once, in turn, so noise hits all alike
DURATION=${DURATION:-10}        # seconds per run
WARMUP=${WARMUP:-3}             # seconds per scenario before the first round
CONNECTIONS=${CONNECTIONS:-32}  # wrk -t1 -cN: one load thread, it shares the two cores with the server
LUA=bench/api-auth.lua

if ! command -v wrk > /dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk > /dev/null
fi

work=$(mktemp -d /tmp/beatpass-api-auth-XXXXXX)
declare -A url pid
cleanup() {
  for name in "${!pid[@]}"; do
    kill "${pid[$name]}" 2> /dev/null && wait "${pid[$name]}" 2> /dev/null || true
  done
  rm -rf "$work"
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

# start_server NAME [KEY=VALUE...]: the product in Production on a fresh database, logging warnings and errors.
start_server() {
  local name=$1 port
  shift
  port=$(free_port)
  env ConnectionStrings__BeatPass="Data Source=$work/$name.db" Logging__LogLevel__Default=Warning "$@" \
    "$work/host/ApiAuthHost" --urls "http://127.0.0.1:$port" > "$work/$name.log" 2>&1 &
  pid[$name]=$!
  url[$name]="http://127.0.0.1:$port"
  for _ in $(seq 100); do
    curl -sf -o /dev/null "${url[$name]}/health" && return
    sleep 0.2
  done
  echo "The $name server did not start:"; cat "$work/$name.log"; exit 1
}

# seed NAME TOKENS [KNOWN]: TOKENS tokens in all; prints the seed answer (see BenchSeeder) to $work/NAME.seed.
seed() {
  curl -sf -X POST "${url[$1]}/api/bench/seed?tokens=$2&known=${3:-0}" > "$work/$1.seed"
}
seeded() { awk -v key="$2" -v field="$3" '$1 == key { print $field }' "$work/$1.seed"; }

memory() { awk -v key="$2:" '$1 == key { printf "%.0f", $2 / 1024 }' "/proc/${pid[$1]}/status"; } # MiB

# load SERVER PATH AUTHORIZATION SECONDS [CONNECTIONS]: one wrk run; prints wrk's RESULT line.
load() {
  BENCH_AUTHORIZATION=$3 wrk -t1 -c"${5:-$CONNECTIONS}" -d"$4s" -s "$LUA" "${url[$1]}$2" | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<< "$2"; }

echo "Starting two servers: 1,000 tokens and 1,000,000 tokens..."
start_server small
start_server large
seed small 1000
started=$(date +%s)
seed large 1000000
echo "Seeded 1,000,000 tokens in $(($(date +%s) - started)) s."

valid=$(seeded small valid 3)
valid_large=$(seeded large valid 3)
last=${valid: -1}
bad_checksum=${valid:0:42}$([[ $last == A ]] && echo B || echo A) # right shape, wrong CRC32
identity=$(curl -sf -X POST -H "Authorization: Bearer $valid" "${url[small]}/api/bench/identity-token" \
  | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')

# name | server | path | Authorization | expected status
scenarios=(
  "anonymous JSON|small|/api/bench/anonymous-me||200"
  "/health (DB check)|small|/health||200"
  "valid token|small|/api/v1/me|Bearer $valid|200"
  "malformed token|small|/api/v1/me|Bearer bpat_not-a-token|401"
  "bad-checksum token|small|/api/v1/me|Bearer $bad_checksum|401"
  "Identity bearer token|small|/api/bench/identity-me|Bearer $identity|200"
  "valid token, 1M in DB|large|/api/v1/me|Bearer $valid_large|200"
)

failures=()
for scenario in "${scenarios[@]}"; do
  IFS='|' read -r name server path authorization status <<< "$scenario"
  got=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $authorization" "${url[$server]}$path")
  [[ -z $authorization ]] && got=$(curl -s -o /dev/null -w '%{http_code}' "${url[$server]}$path")
  [[ $got == "$status" ]] || { echo "$name answers $got, not $status; stopping."; exit 1; }
done

echo "Warming up, then $RUNS rounds of ${DURATION} s per scenario (wrk -t1 -c$CONNECTIONS), interleaved..."
load_started=$(date +%s)
load_average=$(cut -d' ' -f1 /proc/loadavg)
for scenario in "${scenarios[@]}"; do
  IFS='|' read -r name server path authorization status <<< "$scenario"
  load "$server" "$path" "$authorization" "$WARMUP" > /dev/null
done

: > "$work/results"
rounds_memory=()
for round in $(seq "$RUNS"); do
  for i in "${!scenarios[@]}"; do
    IFS='|' read -r name server path authorization status <<< "${scenarios[$i]}"
    result=$(load "$server" "$path" "$authorization" "$DURATION")
    requests=$(field requests "$result")
    non2xx=$(field non2xx "$result")
    errors=$(field socket_errors "$result")
    if [[ $status == 200 && $non2xx != 0 ]] || [[ $status == 401 && $non2xx != "$requests" ]] || [[ $errors != 0 ]]; then
      failures+=("$name, round $round: $non2xx of $requests responses not 2xx, $errors socket errors (expected all $status)")
    fi
    echo "$i $requests $(field duration_us "$result") $(field p50_us "$result") $(field p99_us "$result")" >> "$work/results"
  done
  rounds_memory+=("$(memory small VmRSS) $(memory large VmRSS)")
  echo "  round $round done"
done
load_seconds=$(($(date +%s) - load_started))
load_average+=" at the start, $(cut -d' ' -f1 /proc/loadavg) at the end"

# One row per scenario: median requests/s, range over the runs, median p50 and p99 (ms).
summary=$(awk '
  function median(values, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && values[j - 1] > values[j]; j--) { t = values[j]; values[j] = values[j - 1]; values[j - 1] = t }
    return n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2
  }
  { k = $1; n[k]++; rps[k, n[k]] = $2 / ($3 / 1e6); p50[k, n[k]] = $4 / 1000; p99[k, n[k]] = $5 / 1000 }
  END {
    for (k = 0; k in n; k++) {
      lo = hi = rps[k, 1]
      for (i = 1; i <= n[k]; i++) { a[i] = rps[k, i]; b[i] = p50[k, i]; c[i] = p99[k, i]; if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
      printf "%d %.0f %.0f %.0f %.2f %.2f\n", k, median(a, n[k]), lo, hi, median(b, n[k]), median(c, n[k])
    }
  }' "$work/results")
rps() { awk -v k="$1" '$1 == k { print $2 }' <<< "$summary"; }
anonymous=$(rps 0) health=$(rps 1) valid_rps=$(rps 2) identity_rps=$(rps 5) large_rps=$(rps 6)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# target RATIO MINIMUM DESCRIPTION: the target and its verdict, two table cells.
target() {
  printf '%s (%s) | %s' "$3" "$1" "$(at_least "$1" "$2" && echo pass || echo MISSED)"
}

echo
echo "| scenario | requests/s (median of $RUNS) | range | p50 ms | p99 ms | × anonymous JSON | × /health | target | pass |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
for i in "${!scenarios[@]}"; do
  IFS='|' read -r name _ <<< "${scenarios[$i]}"
  read -r _ median lo hi p50 p99 <<< "$(awk -v k="$i" '$1 == k' <<< "$summary")"
  case $i in
    0) verdict="baseline | -" ;;
    1) verdict="- (reads the database) | -" ;;
    2) verdict=$(target "$(ratio "$median" "$anonymous")" 0.8 "≥ 0.8 × anonymous") ;;
    3 | 4) verdict=$(target "$(ratio "$median" "$anonymous")" 0.9 "≥ 0.9 × anonymous") ;;
    5) verdict=$(target "$(ratio "$valid_rps" "$median")" 1.0 "valid token ≥ 1.0 × this") ;;
    6) verdict=$(target "$(ratio "$median" "$valid_rps")" 0.9 "within 10% of valid token, 1,000 in DB") ;;
  esac
  [[ $verdict == *MISSED* ]] && failures+=("$name: $verdict")
  printf '| %s | %s | %s–%s | %s | %s | %s | %s | %s |\n' "$name" "$median" "$lo" "$hi" "$p50" "$p99" \
    "$(ratio "$median" "$anonymous")" "$(ratio "$median" "$health")" "$verdict"
done

echo
echo "Machine load average (1 min) during the rounds: $load_average (2 cores: the server and wrk alone make about 2)."

echo
echo "Last used, 10 s of load on a token never used before:"
writes_id=$(seeded small writes 2)
load small /api/v1/me "Bearer $(seeded small writes 3)" 10 > /dev/null
read -r _ writes _ values <<< "$(curl -sf "${url[small]}/api/bench/last-used-writes?tokenId=$writes_id")"
echo "  LastUsedAt written $writes time(s): $values"
((writes <= 1)) || failures+=("last used written $writes times in 10 s")
read -r _ writes _ values <<< "$(curl -sf "${url[small]}/api/bench/last-used-writes?tokenId=$(seeded small valid 2)")"
allowed=$((load_seconds / 60 + 1))
echo "  the valid token, over the $load_seconds s of the rounds: written $writes time(s), at most $allowed allowed: $values"
((writes <= allowed)) || failures+=("last used of the valid token written $writes times in $load_seconds s")

echo
echo "Revocation under load: wrk on one token (10 s), the owner deletes it after 4 s, then 200 requests with it:"
load small /api/v1/me "Bearer $(seeded small revoke 3)" 10 > "$work/revoke.result" &
wrk_pid=$!
sleep 4
deleted=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
  "${url[small]}/api/bench/delete-token?userId=$(seeded small user 2)&tokenId=$(seeded small revoke 2)")
after=()
for _ in $(seq 200); do after+=("${url[small]}/api/v1/me" -o /dev/null); done
codes=$(curl -s -w '%{http_code}\n' -H "Authorization: Bearer $(seeded small revoke 3)" "${after[@]}")
wait "$wrk_pid"
accepted=$(grep -vc '^401$' <<< "$codes" || true)
result=$(cat "$work/revoke.result")
echo "  delete answered $deleted; after it, $accepted of 200 requests were not 401"
echo "  wrk meanwhile: $(field requests "$result") requests, $(field non2xx "$result") of them refused"
[[ $deleted == 204 && $accepted == 0 ]] || failures+=("revocation: delete answered $deleted, then $accepted of 200 requests not 401")

echo
echo "Memory (MiB):"
rounds=""
for pair in "${rounds_memory[@]}"; do rounds+="${pair/ / \/ }; "; done
echo "  working set after each round, 1,000 / 1,000,000 tokens: ${rounds%; }"
echo "  peak working set: $(memory small VmHWM) / $(memory large VmHWM)"
read -r first_small first_large <<< "${rounds_memory[0]}"
read -r last_small last_large <<< "${rounds_memory[-1]}"
if ((last_small * 10 > first_small * 11 || last_large * 10 > first_large * 11)); then
  failures+=("working set grew by more than 10% from the first round to the last")
fi

# The cache, churned: more distinct tokens than it may hold. A third server, whose capacity is set low.
kill "${pid[large]}" && wait "${pid[large]}" 2> /dev/null || true
unset 'pid[large]'
start_server churn ApiTokens__CacheCapacity=1000
seed churn 5003 5000
seeded churn known 2 > "$work/known-tokens"
churn_memory=()
for _ in 1 2 3; do
  BENCH_TOKENS_FILE="$work/known-tokens" load churn /api/v1/me "" 5 > /dev/null
  churn_memory+=("$(curl -sf "${url[churn]}/api/bench/cache" | awk '{ print $2 }') entries and $(memory churn VmRSS) MiB")
done
echo "  cache churn (capacity 1,000; 5,000 distinct valid tokens in turn, 3 runs of 5 s), after each run:"
printf '    %s\n' "${churn_memory[@]}"
echo "  peak working set of the churned server: $(memory churn VmHWM)"

echo
locked=$(cat "$work"/*.log | grep -c 'database is locked' || true)
errors=$(cat "$work"/*.log | grep -cE '^(fail|crit):' || true)
echo "Server logs: $locked 'database is locked', $errors errors logged."
((locked == 0 && errors == 0)) || { failures+=("server logs: $locked 'database is locked', $errors errors"); grep -hE -A5 '^(fail|crit):' "$work"/*.log | head -40; }

echo
if ((${#failures[@]} == 0)); then
  echo "All targets met."
else
  echo "Missed:"
  printf '  %s\n' "${failures[@]}"
  exit 1
fi
