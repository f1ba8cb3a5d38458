#!/usr/bin/env bash
# Runs the whole suite: unit, API, component and browser tests, on SQLite and on a real PostgreSQL server.
# The browser tests drive the system Chromium, the PostgreSQL tests a throwaway PostgreSQL cluster
# (tools/postgres-cluster.sh), the load-balancer tests HAProxy, the metrics tests Prometheus and the gateway tests
# nginx, so make sure all five are there first.
set -euo pipefail
cd "$(dirname "$0")"

source tools/ensure-package.sh
chromium="${BEATPASS_CHROMIUM:-/usr/bin/chromium}"
ENSURE_PACKAGE_HINT="Or point BEATPASS_CHROMIUM at one." ensure_package "a headless Chromium for the browser tests" chromium test -x "$chromium"
# The load-balancer tests run deploy/haproxy.cfg in front of two app nodes.
has_haproxy() { command -v haproxy > /dev/null; }
ensure_package "HAProxy for the load-balancer tests" haproxy has_haproxy
# The operations tests let a real Prometheus scrape the app's management address.
has_prometheus() { command -v prometheus > /dev/null; }
ensure_package "Prometheus for the metrics tests" prometheus has_prometheus

# The gateway tests run deploy/nginx.conf (auth_request to /auth/check) in front of a stub service.
has_nginx() { command -v nginx > /dev/null; }
ensure_package "nginx for the gateway tests" nginx-light has_nginx

# A throwaway PostgreSQL cluster for the PostgreSQL tests, stopped when the tests end.
source tools/postgres-cluster.sh
start_postgres_cluster
export BEATPASS_TEST_POSTGRES="$BEATPASS_POSTGRES"
log=$(mktemp)
trap 'stop_postgres_cluster; rm -f "$log"' EXIT

status=0
dotnet test BeatPass.Settings.sln "$@" 2>&1 | tee "$log" || status=$?

# One plain closing line for CI: "N passed, N failed, N skipped".
summary=$(grep -oE 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | tail -n 1 || true)
if [ -n "$summary" ]; then
  read -r failed passed skipped <<<"$(echo "$summary" | grep -oE '[0-9]+' | tr '\n' ' ')"
  echo "$passed passed, $failed failed, $skipped skipped"
fi
exit "$status"
