#!/usr/bin/env bash
# The staff admin grid over 100,000 accounts: first page, deep page, searches and sorts, timed in
# one run (Release build, warm-up, then median and p95 of 25 runs each).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/AdminGrid/AdminGrid.csproj
