#!/usr/bin/env bash
# nginx (deploy/nginx.conf) as a gateway that lets through to a service only requests whose BeatPass token holds
# library:read. Starts it in the foreground on 127.0.0.1:$GATEWAY_PORT (default 8090), checking tokens with the BeatPass
# at $BEATPASS (default 127.0.0.1:8080, the balancer deploy/run-local.sh starts) and passing requests under /library/
# to $UPSTREAM (default 127.0.0.1:8091). Declare the permission on the BeatPass nodes first:
#   ApiTokens__ExtraPermissions__0__Name=library:read ApiTokens__ExtraPermissions__0__Area=Library
#   ApiTokens__ExtraPermissions__0__Description="Read your library."
# Needs the Debian package nginx-light (installed when run as root). Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

source tools/ensure-package.sh
has_nginx() { command -v nginx > /dev/null; }
ensure_package nginx nginx-light has_nginx

GATEWAY_PORT=${GATEWAY_PORT:-8090} BEATPASS=${BEATPASS:-127.0.0.1:8080} UPSTREAM=${UPSTREAM:-127.0.0.1:8091}
run=$PWD/deploy/run/gateway
mkdir -p "$run/tmp"
sed -e "s/@GATEWAY_PORT@/$GATEWAY_PORT/" -e "s/@BEATPASS@/$BEATPASS/" -e "s/@UPSTREAM@/$UPSTREAM/" deploy/nginx.conf > "$run/nginx.conf"
echo "Gateway on http://127.0.0.1:$GATEWAY_PORT/library/ (BeatPass at $BEATPASS, service at $UPSTREAM). Ctrl+C stops it."
exec nginx -p "$run" -c nginx.conf -g "daemon off;"
