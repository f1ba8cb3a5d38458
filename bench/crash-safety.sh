#!/usr/bin/env bash
# Crash safety: a burst of token creations against the real app (Release, Production, SQLite in WAL mode),
# SIGKILL in the middle of it, a restart on the same files, then PRAGMA integrity_check and a request with every
# token whose creation had answered before the kill. Exits 1 when the database is damaged or a token is lost.
# About a minute. WRITERS parallel writers (4), BURST seconds before the kill (3), ROUNDS kill-restart cycles (3).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/wait-for-health.sh

WRITERS=${WRITERS:-4}
BURST=${BURST:-3}
ROUNDS=${ROUNDS:-3}

command -v sqlite3 > /dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 > /dev/null; }

work=$(mktemp -d /tmp/beatpass-crash-XXXXXX)
server=""
cleanup() {
  if [[ -n $server ]]; then kill -9 "$server" && wait "$server"; fi 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "Publishing the bench host (Release)..."
dotnet publish bench/ApiAuthHost/ApiAuthHost.csproj -c Release -o "$work/host" --nologo -v quiet > "$work/publish.log" \
  || { cat "$work/publish.log"; exit 1; }

port=$(( 20000 + RANDOM % 20000 ))
url="http://127.0.0.1:$port"
start_server() {
  # Production refuses to start without email settings: the bench writes its mail to a folder.
  env ConnectionStrings__BeatPass="Data Source=$work/crash.db" Logging__LogLevel__Default=Warning \
    App__PublicUrl="$url" Email__Delivery=Pickup Email__From="BeatPass <bench@beatpass.test>" Email__PickupDirectory="$work/mail" \
    ApiTokens__MaxTokensPerAccount=10000 \
    "$work/host/ApiAuthHost" --contentRoot "$work/host" --urls "$url" >> "$work/server.log" 2>&1 &
  server=$!
  wait_for_health "$url" "$work/server.log" || exit 1
}

# One writer: creates tokens until the server dies, appending each plaintext once its creation has answered.
write() {
  while token=$(curl -sf -X POST "$url/api/bench/create-token?userId=$user"); do
    printf '%s\n' "$token" >> "$work/created-$1.txt"
  done
}

start_server
user=$(curl -sf -X POST "$url/api/bench/seed?tokens=3&known=0" | awk '$1 == "user" { print $2 }')
failed=0
for round in $(seq "$ROUNDS"); do
  for w in $(seq "$WRITERS"); do write "$w" & done
  sleep "$BURST"
  kill -9 "$server"
  wait "$server" 2> /dev/null || true
  wait # the writers stop when the server is gone
  server=""

  integrity=$(sqlite3 "$work/crash.db" "PRAGMA integrity_check;")
  cat "$work"/created-*.txt > "$work/created.txt"
  start_server
  checked=0 lost=0
  while read -r token; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url/api/v1/me")
    checked=$((checked + 1))
    [[ $status == 200 ]] || lost=$((lost + 1))
  done < "$work/created.txt"
  stored=$(sqlite3 "$work/crash.db" "SELECT COUNT(*) FROM ApiTokens WHERE Name LIKE 'Crash %';")
  echo "round $round: SIGKILL after ${BURST} s of $WRITERS writers; integrity_check: $integrity;" \
       "$checked tokens whose creation had answered, $lost of them lost; $stored crash tokens stored in all"
  [[ $integrity == ok && $lost == 0 ]] || failed=1
done

if grep -q "database is locked" "$work/server.log"; then
  echo "The server logged 'database is locked'."; failed=1
fi

if [[ $failed == 0 ]]; then echo "Crash safety: passed."; else echo "Crash safety: FAILED."; exit 1; fi
