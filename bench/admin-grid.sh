#!/usr/bin/env bash
# The staff admin grid over 100,000 accounts: first page, deep page, searches and sorts, timed in
# one run (Release build, warm-up, then median and p95 of 25 runs each).
#   bench/admin-grid.sh                       on SQLite
#   bench/admin-grid.sh --provider PostgreSQL on a throwaway PostgreSQL cluster
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--provider" ] && [ "${2:-}" = "PostgreSQL" ]; then
  source tools/postgres-cluster.sh
  start_postgres_cluster
fi
dotnet run -c Release --project bench/AdminGrid/AdminGrid.csproj -- "$@"
