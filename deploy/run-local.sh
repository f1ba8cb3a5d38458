#!/usr/bin/env bash
# Two BeatPass nodes on one PostgreSQL database, behind HAProxy, on this machine:
#   1. a throwaway PostgreSQL cluster (tools/postgres-cluster.sh) and a database "beatpass" in it;
#   2. the app published once (Release), then `migrate` and `seed-demo` run once against that database;
#   3. two nodes in Production on 127.0.0.1:5301 and :5302, and HAProxy on http://localhost:8080 in front.
# Open http://localhost:8080 and sign in with a demo account. Email is written to deploy/run/mail/.
# Ctrl+C stops everything. Needs the Debian packages postgresql and haproxy (installed when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

export BALANCER_PORT=${BALANCER_PORT:-8080} NODE1_PORT=${NODE1_PORT:-5301} NODE2_PORT=${NODE2_PORT:-5302}
run=$PWD/deploy/run

source tools/ensure-package.sh
has_haproxy() { command -v haproxy > /dev/null; }
ensure_package HAProxy haproxy has_haproxy

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  stop_postgres_cluster
}
source tools/postgres-cluster.sh
source tools/wait-for-health.sh
start_postgres_cluster
trap stop_all EXIT INT TERM

echo "Publishing BeatPass.Web (Release) to $run/app..."
rm -rf "$run" && mkdir -p "$run/mail"
dotnet publish BeatPass.Web -c Release -o "$run/app" --nologo -v quiet

# What every node shares: the database (and through it the Data Protection keys and sign-in sessions), the
# public address, and which proxy to trust for the client's address.
export ASPNETCORE_ENVIRONMENT=Production
export Database__Provider=PostgreSQL
export ConnectionStrings__BeatPass="${BEATPASS_POSTGRES/Database=postgres/Database=beatpass}"
export App__PublicUrl="http://localhost:$BALANCER_PORT"
export AllowedHosts="localhost;127.0.0.1" # the balancer's name, and the nodes' own addresses for trying them directly
export ForwardedHeaders__KnownProxies__0=127.0.0.1
export Email__Delivery=Pickup Email__From="BeatPass <no-reply@beatpass.test>" Email__PickupDirectory="$run/mail"

"${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres beatpass
# EF Core logs its probe of a new database for its history table as a failed command: not worth alarming anyone.
# (env: a name with dots is not a shell assignment.)
env Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command=None \
  dotnet "$run/app/BeatPass.Web.dll" migrate
Logging__LogLevel__Default=Warning dotnet "$run/app/BeatPass.Web.dll" seed-demo

for node in 1 2; do
  port_variable=NODE${node}_PORT
  dotnet "$run/app/BeatPass.Web.dll" --contentRoot "$run/app" --urls "http://127.0.0.1:${!port_variable}" \
    > "$run/node$node.log" 2>&1 &
  pids+=($!)
done
for node in 1 2; do
  port_variable=NODE${node}_PORT
  wait_for_health "http://127.0.0.1:${!port_variable}" "$run/node$node.log" 150 || exit 1
done

haproxy -f deploy/haproxy.cfg -db > "$run/haproxy.log" 2>&1 &
pids+=($!)

cat <<TEXT

BeatPass runs on two nodes behind HAProxy: http://localhost:$BALANCER_PORT
  nodes:    http://127.0.0.1:$NODE1_PORT and http://127.0.0.1:$NODE2_PORT (logs in $run/node1.log, node2.log)
  sign in:  developer@beatpass.test or staff@beatpass.test, password BeatPass-demo-1
  try a token on each node:  curl -H "Authorization: Bearer bpat_…" http://127.0.0.1:$NODE1_PORT/api/v1/me
Ctrl+C stops both nodes, HAProxy and PostgreSQL.
TEXT
wait
