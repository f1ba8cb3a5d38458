# Sourced by test.sh and the benchmarks: start_postgres_cluster starts a throwaway PostgreSQL cluster on a free
# 127.0.0.1 port (installing the Debian package first when it is missing and we are root), exports its connection
# string as BEATPASS_POSTGRES, and stops it when the calling script exits. The server refuses to run as root, so
# as root it runs as the postgres user. Durability is off (fsync=off): the data lives only for the run.

has_pg_ctl() { compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" > /dev/null; }

start_postgres_cluster() {
  source "$(dirname "${BASH_SOURCE[0]}")/ensure-package.sh"
  ensure_package PostgreSQL postgresql has_pg_ctl

  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  pg_dir=$(mktemp -d /tmp/beatpass-pg.XXXXXX)
  as_pg=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$pg_dir"
    as_pg=(runuser -u postgres --)
  fi
  pg_port=$(( 20000 + RANDOM % 20000 ))
  while (exec 3<>"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null; do pg_port=$(( 20000 + RANDOM % 20000 )); done
  trap stop_postgres_cluster EXIT
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust >/dev/null
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$pg_dir/server.log" >&2; exit 1; }
  export BEATPASS_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
}

stop_postgres_cluster() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
