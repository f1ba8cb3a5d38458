#!/usr/bin/env bash
# The staff admin page over 100,000 accounts and 200,000 tokens: the accounts grid and the token inventory (first
# pages, deep pages, searches, filters and sorts), timed in one run (Release build, warm-up, then median and p95 of
# 25 runs each; the bound is judged on p95). BENCH_ONLY=tokens runs only the scenarios whose name holds it.
#   bench/admin-grid.sh                       on SQLite
#   bench/admin-grid.sh --provider PostgreSQL on a throwaway PostgreSQL cluster
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--provider" ] && [ "${2:-}" = "PostgreSQL" ]; then
  source tools/postgres-cluster.sh
  start_postgres_cluster
fi
dotnet run -c Release --project bench/AdminGrid/AdminGrid.csproj -- "$@"
