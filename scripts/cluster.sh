#!/usr/bin/env bash
# Liaison's production topology on one machine, from Debian packages (see docs/operations.md):
#
#   nginx (TLS, HTTP/2, static assets) ─┬─ web1 ─┐
#                                       └─ web2 ─┤
#   SMTP ─ mail-in ─────────────────────────────┤─ PgBouncer ×2 (transaction mode) ─ PostgreSQL primary
#          worker1, worker2 ────────────────────┘                          streaming ─┘└─ replica
#
#   bash scripts/cluster.sh up        build, install what is missing, start everything (idempotent)
#   bash scripts/cluster.sh down      stop everything and delete the cluster's folder
#   bash scripts/cluster.sh status    each part: running or not, its pid and address
#   bash scripts/cluster.sh env       the environment a Liaison process of this cluster runs with
#   bash scripts/cluster.sh start P   start one part (after it was stopped or killed)
#   bash scripts/cluster.sh stop P    stop one part gracefully
#   bash scripts/cluster.sh kill P    kill one part with SIGKILL (as a crash would)
#   bash scripts/cluster.sh wait P    wait until one part answers (at most 60 s)
#
# Parts: primary replica pgbouncer1 pgbouncer2 web1 web2 worker1 worker2 mail-in nginx.
# Settings (environment): CLUSTER_DIR (/tmp/liaison-cluster), CLUSTER_HTTPS_PORT (8443),
# CLUSTER_WEB_PORTS ("3101 3102"), CLUSTER_MAIL_IN_PORT (2625), CLUSTER_PGBOUNCER_PORT (6432),
# CLUSTER_PRIMARY_PORT (5441), CLUSTER_REPLICA_PORT (5442), CLUSTER_WEB_COUNT (2, 1 or 2),
# CLUSTER_SMTP_URL (outgoing relay; none: mail stays in the outbox), CLUSTER_DEMO (1: load the
# demo data into an empty database), CLUSTER_LOG_LEVEL (info).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DIR="${CLUSTER_DIR:-/tmp/liaison-cluster}"
HTTPS_PORT="${CLUSTER_HTTPS_PORT:-8443}"
read -r -a WEB_PORTS <<<"${CLUSTER_WEB_PORTS:-3101 3102}"
MAIL_IN_PORT="${CLUSTER_MAIL_IN_PORT:-2625}"
PGB_PORT="${CLUSTER_PGBOUNCER_PORT:-6432}"
PRIMARY_PORT="${CLUSTER_PRIMARY_PORT:-5441}"
REPLICA_PORT="${CLUSTER_REPLICA_PORT:-5442}"
WEB_COUNT="${CLUSTER_WEB_COUNT:-2}"
DB=liaison

log() { printf '%s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && printf '%s' "$dir"
}

# What is missing, from Debian's packages (needs root).
install_packages() {
  local missing=()
  [ -n "$(pg_bin || true)" ] || missing+=(postgresql)
  command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v openssl >/dev/null || missing+=(openssl)
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "Missing ${missing[*]}; install as root: apt-get install -y ${missing[*]}"
  log "Installing ${missing[*]} (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # The packages' own services are not wanted: this script runs its own instances.
  apt-get install -y -qq "${missing[@]}" >&2
  if [ -f /run/nginx.pid ]; then /usr/sbin/nginx -s stop 2>/dev/null || true; fi
  if [ -f /run/postgresql/pgbouncer.pid ]; then kill "$(cat /run/postgresql/pgbouncer.pid)" 2>/dev/null || true; fi
}

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pgbouncer_version() { /usr/sbin/pgbouncer --version 2>/dev/null | awk 'NR==1 {print $2}'; }
# PgBouncer keeps prepared statements across transaction-mode pooling from 1.21 on.
pgbouncer_keeps_prepared() {
  local v
  v=$(pgbouncer_version)
  [ -n "$v" ] && [ "$(printf '%s\n1.21.0\n' "$v" | sort -V | head -n 1)" = "1.21.0" ]
}

url() { printf 'postgres://liaison@127.0.0.1:%s/%s' "$1" "$DB"; }

# The environment of every Liaison process in this cluster (secrets made once, kept in the folder).
liaison_env() {
  # shellcheck disable=SC1091
  source "$DIR/secrets.env"
  cat <<EOF
NODE_ENV=production
LOG_LEVEL=${CLUSTER_LOG_LEVEL:-info}
BASE_URL=https://localhost:$HTTPS_PORT
SESSION_SECRET=$SESSION_SECRET
TOTP_ENCRYPTION_KEYS=$TOTP_ENCRYPTION_KEYS
TRUST_PROXY=true
DATA_DIR=$DIR/data
DATABASE_URL=$(url "$PGB_PORT")
DATABASE_DIRECT_URL=$(url "$PRIMARY_PORT")
DATABASE_REPLICA_URL=$(url "$REPLICA_PORT")
DATABASE_POOL_SIZE=8
DATABASE_PREPARED_STATEMENTS=$(pgbouncer_keeps_prepared && echo true || echo false)
MAIL_IN_HOST=127.0.0.1
MAIL_IN_PORT=$MAIL_IN_PORT
JOB_POLL_SECONDS=1
EOF
  if [ -n "${CLUSTER_SMTP_URL:-}" ]; then echo "SMTP_URL=$CLUSTER_SMTP_URL"; fi
}

pidfile() { printf '%s/run/%s.pid' "$DIR" "$1"; }

pid_of() {
  local part=$1 f
  case "$part" in
    primary | replica) f="$DIR/$part/postmaster.pid" ;;
    *) f=$(pidfile "$part") ;;
  esac
  [ -f "$f" ] || return 1
  local pid
  pid=$(head -n 1 "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # description, seconds, command...
  local what=$1 seconds=$2
  shift 2
  local i
  for ((i = 0; i < seconds * 4; i++)); do
    if "$@"; then return 0; fi
    sleep 0.25
  done
  if [ -s "$DIR/log/$what.log" ]; then
    log "---- the last lines of $DIR/log/$what.log ----"
    tail -n 30 "$DIR/log/$what.log" >&2
  fi
  log "$what: pid file $(cat "$(pidfile "$what")" 2>/dev/null || echo none), process $(pid_of "$what" || echo 'not running')"
  die "$what did not come up within $seconds s (logs in $DIR/log)"
}

# Loopback only: never through a proxy the environment may name (http_proxy, HTTPS_PROXY).
ready_url() { curl --noproxy '*' -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$1/readyz" 2>/dev/null; }

part_port() {
  case "$1" in
    primary) echo "$PRIMARY_PORT" ;;
    replica) echo "$REPLICA_PORT" ;;
    pgbouncer1 | pgbouncer2) echo "$PGB_PORT" ;;
    web1) echo "${WEB_PORTS[0]}" ;;
    web2) echo "${WEB_PORTS[1]}" ;;
    mail-in) echo "$MAIL_IN_PORT" ;;
    nginx) echo "$HTTPS_PORT" ;;
    *) echo "" ;;
  esac
}

# ---- PostgreSQL ----

init_primary() {
  local bin=$1
  [ -f "$DIR/primary/PG_VERSION" ] && return 0
  as_pg "$bin/initdb" -D "$DIR/primary" --auth=trust -E UTF8 --locale=C.UTF-8 -U postgres >/dev/null
  cat >>"$DIR/primary/postgresql.conf" <<EOF
# Liaison cluster
listen_addresses = '127.0.0.1'
port = $PRIMARY_PORT
unix_socket_directories = '$DIR/run'
max_connections = 200
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
hot_standby = on
hot_standby_feedback = on
jit = off
shared_buffers = 128MB
log_min_duration_statement = 1000
EOF
  # Local connections only, trusted: the drill's machine. A real deployment uses scram-sha-256.
  cat >"$DIR/primary/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
EOF
  start_part primary
  as_pg "$bin/psql" -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<EOF >/dev/null
CREATE ROLE liaison LOGIN;
CREATE DATABASE $DB OWNER liaison;
EOF
}

init_replica() {
  local bin=$1
  [ -f "$DIR/replica/PG_VERSION" ] && return 0
  # A copy of the primary that streams its changes; the slot keeps the WAL a stopped replica still needs.
  as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/replica" \
    -R -X stream -C -S liaison_replica --checkpoint=fast >/dev/null
  cat >>"$DIR/replica/postgresql.conf" <<EOF
port = $REPLICA_PORT
EOF
}

# ---- PgBouncer ----

write_pgbouncer_config() {
  local n=$1
  local prepared=""
  if pgbouncer_keeps_prepared; then prepared="max_prepared_statements = 200"; fi
  cat >"$DIR/pgbouncer/pgbouncer$n.ini" <<EOF
[databases]
$DB = host=127.0.0.1 port=$PRIMARY_PORT dbname=$DB

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
; Two PgBouncer processes share the port: either may die and the other goes on taking connections.
so_reuseport = 1
unix_socket_dir =
pidfile = $DIR/run/pgbouncer$n.pid
logfile = $DIR/log/pgbouncer$n.log
auth_type = trust
auth_file = $DIR/pgbouncer/users.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 500
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
$prepared
EOF
  printf '"liaison" ""\n"postgres" ""\n' >"$DIR/pgbouncer/users.txt"
}

# ---- nginx ----

write_nginx_config() {
  local servers="" i
  for ((i = 0; i < WEB_COUNT; i++)); do
    servers+="    server 127.0.0.1:${WEB_PORTS[$i]} max_fails=1 fail_timeout=3s;"$'\n'
  done
  if [ ! -f "$DIR/nginx/tls.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$DIR/nginx/tls.key" -out "$DIR/nginx/tls.crt" 2>/dev/null
  fi
  cat >"$DIR/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $DIR/run/nginx.pid;
error_log $DIR/log/nginx-error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on;
  client_max_body_size 30m;
  client_body_temp_path $DIR/nginx/tmp/body;
  proxy_temp_path $DIR/nginx/tmp/proxy;
  fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
  uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
  scgi_temp_path $DIR/nginx/tmp/scgi;
  log_format liaison '\$remote_addr [\$time_iso8601] "\$request" \$status \$body_bytes_sent '
                     'upstream=\$upstream_addr upstream_status=\$upstream_status rt=\$request_time';
  access_log $DIR/log/nginx-access.log liaison;

  upstream liaison_web {
$servers    keepalive 16;
  }
  # Uploads on the public form are limited per address by each web process's own count: every upload
  # from one address goes to the same process, so the limit holds across processes.
  upstream liaison_uploads {
    hash \$remote_addr consistent;
$servers  }

  server {
    listen 127.0.0.1:$HTTPS_PORT ssl http2;
    server_name localhost;
    ssl_certificate $DIR/nginx/tls.crt;
    ssl_certificate_key $DIR/nginx/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;

    # Static assets from the copy made at start-up, never through Node.
    location /assets/ {
      root $DIR/static;
      expires 1d;
      add_header Cache-Control "public";
      try_files \$uri =404;
    }

    location = /complain/attachments/upload {
      proxy_pass http://liaison_uploads;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
    }

    location / {
      proxy_pass http://liaison_web;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      # A web process that refuses the connection or dies before answering: the request goes to the
      # other (for a form post only when it had not reached the dead one, so it is never sent twice).
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
    }
  }
}
EOF
}

# The static assets, from the same folders and in the same order the web process serves them.
copy_static() {
  rm -rf "$DIR/static"
  mkdir -p "$DIR/static/assets"
  local src
  for src in public node_modules/govuk-frontend/dist/govuk/assets node_modules/@ministryofjustice/frontend/moj/assets; do
    cp -rn "$ROOT/$src/." "$DIR/static/assets/"
  done
  chmod -R a+rX "$DIR/static"
}

# ---- parts ----

start_node() { # part roles [port]
  local part=$1 roles=$2 port=${3:-0}
  (
    set -a
    # shellcheck disable=SC1090
    source <(liaison_env)
    set +a
    export ROLES="$roles" PORT="$port" HOST=127.0.0.1
    # Background work (workers) runs behind the web processes: a big send or a refresh never takes
    # the cores from people's pages (WORKER_NICE, 10; 0 to run them alike).
    local nice=0
    [ "$roles" = worker ] && nice=${WORKER_NICE:-10}
    exec setsid nice -n "$nice" node "$ROOT/dist/main.js" </dev/null >>"$DIR/log/$part.log" 2>&1
  ) &
  echo $! >"$(pidfile "$part")"
}

start_part() {
  local part=$1 bin
  bin=$(pg_bin)
  if pid_of "$part" >/dev/null; then return 0; fi
  case "$part" in
    primary | replica)
      local port
      port=$(part_port "$part")
      # After a crash the old postmaster's children may take a moment to go.
      local i
      for i in 1 2 3 4 5 6 7 8 9 10; do
        if as_pg "$bin/pg_ctl" -D "$DIR/$part" -l "$DIR/log/$part.log" -w -t 60 start >/dev/null 2>&1; then break; fi
        [ "$i" -eq 10 ] && die "$part did not start (log: $DIR/log/$part.log)"
        sleep 1
      done
      ;;
    pgbouncer1 | pgbouncer2)
      local n=${part#pgbouncer}
      rm -f "$(pidfile "$part")"
      as_pg /usr/sbin/pgbouncer -d -q "$DIR/pgbouncer/pgbouncer$n.ini"
      wait_for "$part" 30 test -s "$(pidfile "$part")"
      ;;
    web1 | web2) start_node "$part" web "$(part_port "$part")" ;;
    worker1 | worker2) start_node "$part" worker ;;
    mail-in) start_node "$part" mail-in ;;
    nginx)
      write_nginx_config
      /usr/sbin/nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx"
      ;;
    *) die "No such part: $part" ;;
  esac
}

# Ready: PostgreSQL accepts connections; a web process answers /readyz; mail-in takes connections.
part_ready() {
  local part=$1 bin
  bin=$(pg_bin)
  case "$part" in
    primary | replica) as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$(part_port "$part")" ;;
    pgbouncer1 | pgbouncer2) pid_of "$part" >/dev/null && port_open "$PGB_PORT" ;;
    web1 | web2) pid_of "$part" >/dev/null && ready_url "$(part_port "$part")" ;;
    mail-in) pid_of "$part" >/dev/null && port_open "$MAIL_IN_PORT" ;;
    worker1 | worker2) pid_of "$part" >/dev/null && grep -q '"msg":"Liaison started"' "$DIR/log/$part.log" ;;
    nginx) pid_of "$part" >/dev/null && curl --noproxy '*' -fsSk -o /dev/null --max-time 5 "https://127.0.0.1:$HTTPS_PORT/healthz" ;;
  esac
}

stop_part() {
  local part=$1 pid bin
  bin=$(pg_bin)
  case "$part" in
    primary | replica)
      [ -f "$DIR/$part/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$DIR/$part" -m fast -w stop >/dev/null 2>&1 || true
      ;;
    *)
      pid=$(pid_of "$part") || return 0
      kill -TERM "$pid" 2>/dev/null || true
      local i
      for ((i = 0; i < 120; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
      done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$(pidfile "$part")"
      ;;
  esac
}

kill_part() {
  local part=$1 pid
  pid=$(pid_of "$part") || die "$part is not running"
  kill -KILL "$pid"
  # The process is gone when this returns.
  local i
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
}

node_parts() {
  local parts=() i
  for ((i = 1; i <= WEB_COUNT; i++)); do parts+=("web$i"); done
  parts+=(worker1 worker2 mail-in)
  printf '%s\n' "${parts[@]}"
}
all_parts() {
  printf '%s\n' primary replica pgbouncer1 pgbouncer2
  node_parts
  echo nginx
}

up() {
  install_packages
  command -v node >/dev/null || die "Node.js 20 is needed (see README.md)."
  [ -d node_modules ] || npm ci >&2
  log "Building Liaison…"
  npm run build --silent >&2
  mkdir -p "$DIR"/{run,log,data,pgbouncer,nginx/tmp}
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR" "$DIR/run" "$DIR/log" "$DIR/pgbouncer"
  if [ ! -f "$DIR/secrets.env" ]; then
    {
      echo "SESSION_SECRET=$(openssl rand -hex 32)"
      echo "TOTP_ENCRYPTION_KEYS=k1:$(openssl rand -base64 32)"
    } >"$DIR/secrets.env"
    chmod 600 "$DIR/secrets.env"
  fi
  local bin
  bin=$(pg_bin)
  init_primary "$bin"
  start_part primary
  init_replica "$bin"
  start_part replica
  write_pgbouncer_config 1
  write_pgbouncer_config 2
  start_part pgbouncer1
  start_part pgbouncer2
  # Migrations once, before any process starts (each also checks at start, finding nothing to do).
  log "Migrating…"
  (
    set -a
    # shellcheck disable=SC1090
    source <(liaison_env)
    set +a
    export DATABASE_URL="$DATABASE_DIRECT_URL"
    if [ "${CLUSTER_DEMO:-0}" = 1 ]; then
      node --import tsx scripts/drill/demo.ts >&2 # migrates, then loads the demo data
    else
      node --import tsx src/cli/index.ts migrate >&2
    fi
  )
  copy_static
  local part
  for part in $(node_parts); do start_part "$part"; done
  for part in $(node_parts); do wait_for "$part" 120 part_ready "$part"; done
  start_part nginx
  wait_for nginx 30 part_ready nginx
  status
  log "Liaison is running at https://localhost:$HTTPS_PORT (self-signed certificate); mail by SMTP on 127.0.0.1:$MAIL_IN_PORT."
}

down() {
  local part
  for part in nginx $(node_parts | tac) pgbouncer1 pgbouncer2 replica primary; do stop_part "$part"; done
  rm -rf "$DIR"
  log "Cluster stopped and its folder ($DIR) deleted."
}

status() {
  local part pid state all_up=0
  [ -d "$DIR" ] || {
    log "No cluster in $DIR."
    return 1
  }
  printf '%-11s %-8s %-8s %s\n' part state pid address
  for part in $(all_parts); do
    pid=$(pid_of "$part" || true)
    if [ -z "$pid" ]; then
      state=down
      all_up=1
    elif part_ready "$part" 2>/dev/null; then
      state=ready
    else
      state=starting
      all_up=1
    fi
    local port
    port=$(part_port "$part")
    printf '%-11s %-8s %-8s %s\n' "$part" "$state" "${pid:--}" "${port:+127.0.0.1:$port}"
  done
  return "$all_up"
}

action="${1:-status}"
case "$action" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) liaison_env ;;
  start) start_part "${2:?part}" ;;
  stop) stop_part "${2:?part}" ;;
  kill) kill_part "${2:?part}" ;;
  wait) wait_for "${2:?part}" "${3:-60}" part_ready "$2" ;;
  *)
    log "Usage: bash scripts/cluster.sh up|down|status|env|start P|stop P|kill P|wait P"
    exit 64
    ;;
esac
