#!/usr/bin/env bash
# The micro costs of token authentication (format check, hash, cache hit and miss, the whole handler next to
# Identity's bearer token handler), with BenchmarkDotNet: Release, ShortRun job, memory diagnoser.
# Arguments go to BenchmarkDotNet, e.g. bench/micro.sh --filter '*Cache*'.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Micro/Micro.csproj -- "$@"
