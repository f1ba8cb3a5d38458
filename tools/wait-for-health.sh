# Source this file. wait_for_health URL LOG [TRIES]: polls URL/health every 0.2 s until it answers 2xx; after TRIES
# tries (100 by default, 20 s) prints "URL did not start:" and the server's LOG, and returns 1.
wait_for_health() {
  local url=$1 log=$2 tries=${3:-100}
  for _ in $(seq "$tries"); do
    curl -sf -o /dev/null "$url/health" && return 0
    sleep 0.2
  done
  echo "$url did not start:"
  cat "$log"
  return 1
}
