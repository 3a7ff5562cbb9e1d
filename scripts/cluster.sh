#!/usr/bin/env bash
# A production-like Atrium on this machine (docs/deploy.md): PostgreSQL and Redis (started
# if they are not running), two gunicorn servers, one RQ task worker, and HAProxy in front
# with health checks on /health/ready. Loopback addresses only.
#
#   scripts/cluster.sh start    start what is not running (idempotent); prints the address
#   scripts/cluster.sh stop     stop everything this script started, by its PID files
#   scripts/cluster.sh status   what runs, and the load balancer's view of the servers
#   scripts/cluster.sh env      the environment the processes run with (to run manage.py)
#
# Settings (environment): ATRIUM_CLUSTER_DIR (.cluster: PID files, logs, the env file),
# ATRIUM_CLUSTER_DB (atrium_cluster, created and loaded with the demo on first start),
# ATRIUM_CLUSTER_PORT (8100, HAProxy; the servers on +1 and +2, HAProxy's stats on +99),
# ATRIUM_CLUSTER_WEB_WORKERS (2 gunicorn workers per server), ATRIUM_CLUSTER_REDIS
# (redis://127.0.0.1:6379/5). HAProxy (Debian's package haproxy) is installed through
# apt when missing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${ATRIUM_CLUSTER_DIR:-$ROOT/.cluster}"
DB_NAME="${ATRIUM_CLUSTER_DB:-atrium_cluster}"
PORT="${ATRIUM_CLUSTER_PORT:-8100}"
WEB_PORTS=("$((PORT + 1))" "$((PORT + 2))")
STATS_PORT="$((PORT + 99))"
WEB_WORKERS="${ATRIUM_CLUSTER_WEB_WORKERS:-2}"
REDIS_URL="${ATRIUM_CLUSTER_REDIS:-redis://127.0.0.1:6379/5}"
PG_ADMIN="postgres://postgres@127.0.0.1:5432/postgres"
PY="$ROOT/.venv/bin/python"
HOST=127.0.0.1

mkdir -p "$STATE"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # wait_for SECONDS COMMAND...: retry COMMAND every 0.25 s, at most SECONDS
  local limit=$(($1 * 4)) i
  shift
  for ((i = 0; i < limit; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  return 1
}

http_ok() { "$PY" - "$1" <<'EOF'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=3) as response:
    sys.exit(0 if response.status == 200 else 1)
EOF
}

write_env() {
  if [ ! -f "$STATE/secret" ]; then
    "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$STATE/secret"
    chmod 600 "$STATE/secret"
  fi
  if [ ! -f "$STATE/metrics-token" ]; then
    "$PY" -c 'import secrets; print(secrets.token_urlsafe(24))' >"$STATE/metrics-token"
    chmod 600 "$STATE/metrics-token"
  fi
  cat >"$STATE/env" <<EOF
export DJANGO_SETTINGS_MODULE=atrium.settings
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB_NAME
export SECRET_KEY=$(cat "$STATE/secret")
export ALLOWED_HOSTS=127.0.0.1,localhost
export ATRIUM_HTTPS=0
export ATRIUM_BEHIND_PROXY=1
export ATRIUM_REDIS_URL=$REDIS_URL
export ATRIUM_TASK_BACKEND=rq
export ATRIUM_DB_POOL=${ATRIUM_CLUSTER_DB_POOL:-2,4}
export ATRIUM_LOG_JSON=1
export ATRIUM_LOG_LEVEL=INFO
export ATRIUM_METRICS_TOKEN=$(cat "$STATE/metrics-token")
export ATRIUM_MEDIA_ROOT=$STATE/media
export ATRIUM_STATIC_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage
export ATRIUM_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
export ATRIUM_SITE_URL=http://$HOST:$PORT
export ATRIUM_API_RATES=${ATRIUM_CLUSTER_API_RATES:-token=1000/hour,write=60/min}
EOF
}

ensure_services() {
  if ! pg_isready -q -h $HOST -p 5432; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
    touch "$STATE/started-postgresql"
    wait_for 30 pg_isready -q -h $HOST -p 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "installing Redis (the Debian package redis-server) through apt"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  if ! redis-cli -h $HOST -p 6379 ping >/dev/null 2>&1; then
    echo "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log --pidfile "$STATE/redis.pid"
    wait_for 10 redis-cli -h $HOST -p 6379 ping || { echo "Redis did not start" >&2; exit 1; }
  fi
  if ! command -v haproxy >/dev/null 2>&1; then
    echo "installing HAProxy (the Debian package haproxy) through apt"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
  fi
}

prepare_database() {
  if ! psql "$PG_ADMIN" -tAc "select 1 from pg_database where datname='$DB_NAME'" | grep -q 1; then
    echo "creating the database $DB_NAME with the demo"
    psql "$PG_ADMIN" -q -c "create database \"$DB_NAME\""
    (
      source "$STATE/env"
      cd "$ROOT"
      "$PY" manage.py migrate --noinput -v 0
      "$PY" manage.py load_demo --without-debug >"$STATE/load_demo.log"
    )
  else
    (source "$STATE/env" && cd "$ROOT" && "$PY" manage.py migrate --noinput -v 0)
  fi
}

start_web() { # start_web N PORT
  local n="$1" port="$2" pidfile="$STATE/web$1.pid"
  alive "$pidfile" && return 0
  rm -rf "$STATE/prometheus-web$n" && mkdir -p "$STATE/prometheus-web$n"
  (
    source "$STATE/env"
    export PROMETHEUS_MULTIPROC_DIR="$STATE/prometheus-web$n"
    cd "$ROOT"
    "$PY" -m gunicorn atrium.wsgi:application --bind "$HOST:$port" --workers "$WEB_WORKERS" \
      --timeout 60 --graceful-timeout 10 --pid "$pidfile" --daemon \
      --error-logfile "$STATE/web$n.log" --capture-output
  )
  wait_for 30 test -s "$pidfile" || { echo "gunicorn web$n did not start" >&2; exit 1; }
}

start_worker() {
  local pidfile="$STATE/worker.pid"
  alive "$pidfile" && return 0
  (
    source "$STATE/env"
    cd "$ROOT"
    nohup "$PY" manage.py rqworker default --job-class django_tasks_rq.backend.Job \
      --with-scheduler >>"$STATE/worker.log" 2>&1 &
    echo $! >"$pidfile"
  )
}

start_haproxy() {
  local pidfile="$STATE/haproxy.pid"
  alive "$pidfile" && return 0
  cat >"$STATE/haproxy.cfg" <<EOF
global
    maxconn 4096
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 300s
    timeout server 120s
    timeout http-request 10s
    # Requests wait in HAProxy (not in the servers' backlogs) for a free worker.
    timeout queue 300s
    # A request whose connection to a server failed goes to another one, at each retry.
    retries 3
    option redispatch 1
    option forwardfor

frontend atrium
    bind $HOST:$PORT
    http-request set-header X-Request-ID %[uuid] unless { req.hdr(x-request-id) -m found }
    http-request set-header X-Forwarded-Proto http
    default_backend web

backend web
    balance roundrobin
    option httpchk
    http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host $HOST
    http-check expect status 200
    # Sync workers answer one request each: HAProxy keeps the rest in its queue, so a
    # health check waits behind one request at most. A server is down after 2 failed
    # checks, up again after 2 good ones; and at once when a connection to it fails (a
    # killed server), so that the requests queued for it go to the other one.
    timeout check 10s
    default-server inter 1s fall 2 rise 2 maxconn $WEB_WORKERS observe layer4 error-limit 1 on-error mark-down
    server web1 $HOST:${WEB_PORTS[0]} check
    server web2 $HOST:${WEB_PORTS[1]} check

listen stats
    bind $HOST:$STATS_PORT
    stats enable
    stats uri /
EOF
  haproxy -c -q -f "$STATE/haproxy.cfg"
  # In the foreground of its own (nohup) so that its log goes to a file, not to syslog.
  nohup haproxy -db -f "$STATE/haproxy.cfg" >>"$STATE/haproxy.log" 2>&1 &
  echo $! >"$pidfile"
}

start() {
  ensure_services
  write_env
  prepare_database
  start_web 1 "${WEB_PORTS[0]}"
  start_web 2 "${WEB_PORTS[1]}"
  start_worker
  start_haproxy
  for port in "${WEB_PORTS[@]}"; do
    wait_for 60 http_ok "http://$HOST:$port/health/ready" ||
      { echo "the server on port $port is not ready: see $STATE/web*.log" >&2; exit 1; }
  done
  wait_for 30 http_ok "http://$HOST:$PORT/health/ready" ||
    { echo "HAProxy on port $PORT does not answer" >&2; exit 1; }
  echo "Atrium cluster: http://$HOST:$PORT/ (servers on ${WEB_PORTS[*]}, stats on $STATS_PORT)"
}

stop_pid() { # stop_pid NAME PIDFILE: TERM, wait up to 15 s, then KILL
  local name="$1" pidfile="$2" pid i
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    echo "stopped $name ($pid)"
  fi
  rm -f "$pidfile"
}

stop() {
  stop_pid haproxy "$STATE/haproxy.pid"
  stop_pid worker "$STATE/worker.pid"
  stop_pid web1 "$STATE/web1.pid"
  stop_pid web2 "$STATE/web2.pid"
  if [ -f "$STATE/redis.pid" ]; then
    stop_pid redis "$STATE/redis.pid"
  fi
  if [ -f "$STATE/started-postgresql" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main stop
    rm -f "$STATE/started-postgresql"
    echo "stopped PostgreSQL"
  fi
}

status() {
  local name code=0
  for name in web1 web2 worker haproxy; do
    if alive "$STATE/$name.pid"; then
      echo "$name: running ($(cat "$STATE/$name.pid"))"
    else
      echo "$name: stopped"
      code=3
    fi
  done
  local port
  for port in "${WEB_PORTS[@]}" "$PORT"; do
    if http_ok "http://$HOST:$port/health/ready" 2>/dev/null; then
      echo "http://$HOST:$port/health/ready: ready"
    else
      echo "http://$HOST:$port/health/ready: not ready"
    fi
  done
  return $code
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) write_env && cat "$STATE/env" ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
