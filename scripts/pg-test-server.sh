#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests and benchmarks, on 127.0.0.1 and a spare port.
#
#   bash scripts/pg-test-server.sh [start]   start it (or reuse the running one); prints
#                                            `export TEST_DATABASE_URL=postgres://...` on stdout
#   bash scripts/pg-test-server.sh url       print the URL of the running server
#   bash scripts/pg-test-server.sh stop      stop it and delete its files
#
#   eval "$(bash scripts/pg-test-server.sh)"   # then: npx vitest run --project db
#
# The cluster lives in $PG_TEST_DIR (default /tmp/liaison-pg-test): data, socket, log and port.
# It is tuned for speed, not durability (fsync off). The distribution's own cluster is left alone.
# Installs Debian's `postgresql` package first when no server binaries are present (needs root).
set -euo pipefail

action="${1:-start}"
state="${PG_TEST_DIR:-/tmp/liaison-pg-test}"
data="$state/data"
log() { printf '%s\n' "$*" >&2; }

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && printf '%s' "$dir"
}

# Run as the postgres user when we are root (initdb refuses root); as ourselves otherwise.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url_for() { printf 'postgres://postgres@127.0.0.1:%s/postgres' "$1"; }

running_port() {
  local bin="$1"
  [ -f "$state/port" ] && [ -f "$data/postmaster.pid" ] || return 1
  as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1 || return 1
  cat "$state/port"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "$action" in
  start) ;;
  url | stop)
    bin=$(find_bin || true)
    if [ -z "$bin" ]; then
      log "PostgreSQL is not installed."
      [ "$action" = stop ] && exit 0 || exit 1
    fi
    if [ "$action" = url ]; then
      port=$(running_port "$bin") || { log "The test server is not running."; exit 1; }
      url_for "$port"
      echo
      exit 0
    fi
    if [ -f "$data/postmaster.pid" ]; then
      as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$state"
    log "Test PostgreSQL server stopped."
    exit 0
    ;;
  *)
    log "Usage: bash scripts/pg-test-server.sh [start|url|stop]"
    exit 64
    ;;
esac

bin=$(find_bin || true)
if [ -z "$bin" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "PostgreSQL is not installed and installing it needs root: apt-get install -y postgresql"
    exit 1
  fi
  log "Installing PostgreSQL (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin=$(find_bin)
fi

if port=$(running_port "$bin"); then
  log "Test PostgreSQL server already running on port $port ($state)."
else
  # Start afresh: a folder left by a crashed run is removed.
  rm -rf "$state"
  mkdir -p "$state"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$state"
  as_pg "$bin/initdb" -D "$data" --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync -U postgres >/dev/null
  port="${PG_TEST_PORT:-}"
  if [ -z "$port" ]; then
    for candidate in $(seq 55432 55532); do
      if port_free "$candidate"; then port="$candidate"; break; fi
    done
  fi
  [ -n "$port" ] || { log "No free port between 55432 and 55532."; exit 1; }
  as_pg "$bin/pg_ctl" -D "$data" -l "$state/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $state -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  printf '%s' "$port" >"$state/port"
  log "Test PostgreSQL server started on port $port ($state). Stop it with: bash scripts/pg-test-server.sh stop"
fi

export TEST_DATABASE_URL
TEST_DATABASE_URL=$(url_for "$port")
printf 'export TEST_DATABASE_URL=%s\n' "$TEST_DATABASE_URL"
