#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store tests, from Debian's binaries, on 127.0.0.1 only.
#
#   scripts/postgres-test-server.sh start DIR   # prints the server's URL on stdout
#   scripts/postgres-test-server.sh stop DIR    # stops it and deletes DIR
#
# DIR must not exist yet (or be empty). The cluster trusts local connections, listens on a free
# loopback port and has no Unix socket. As root it runs as the `postgres` user, since initdb
# refuses to run as root. PG_BIN may name the folder holding initdb and pg_ctl.
#   export DHTI_TEST_POSTGRES_URL=$(scripts/postgres-test-server.sh start /tmp/dhti-pg)
set -euo pipefail

die() { echo "postgres-test-server: $*" >&2; exit 1; }

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] && [ -x "$found/initdb" ] && { echo "$found"; return; }
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  die "PostgreSQL server binaries not found (initdb, pg_ctl): run 'scripts/install-system-deps.sh test' (Debian package postgresql) or set PG_BIN"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    getent passwd postgres >/dev/null || die "running as root needs a 'postgres' user to own the cluster (Debian's postgresql package makes one)"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir=$1 bin port
  bin=$(find_bin)
  mkdir -p "$dir"
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U dhti --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || die "initdb failed: $(tail -n 5 "$dir/initdb.log")"
  for _attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c fsync=off -c max_connections=100" \
        start >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      echo "postgresql://dhti@127.0.0.1:$port/postgres"
      return
    fi
  done
  die "the server did not start: $(tail -n 5 "$dir/server.log" 2>/dev/null)"
}

stop() {
  local dir=$1 bin
  bin=$(find_bin)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

[ $# -eq 2 ] || die "usage: $0 start|stop DIR"
case $1 in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) die "usage: $0 start|stop DIR" ;;
esac
