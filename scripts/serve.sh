#!/usr/bin/env bash
# `make serve REPLICAS=N [PORT=8501]`: N dashboard processes on their own ports behind HAProxy, one journal.
#
# Streamlit keeps each session (its widgets, uploads and downloads) in the memory of the process that serves it, so
# a browser must stay on one process: HAProxy pins it with a cookie (SERVERID) set on the first answer, and passes
# the WebSocket upgrade through (`timeout tunnel`). Every process uses the same MARKET_JOURNAL_URL (PostgreSQL for a
# desk; an SQLite file on one machine), so an entry saved through one process is listed by every other.
# The processes and HAProxy are started here and stopped when this script stops (Ctrl-C, TERM, or one of them
# exiting). Each answer names its process in an X-Served-By header.
set -euo pipefail
REPLICAS="${REPLICAS:-2}"
PORT="${PORT:-8501}"
FIRST="${FIRST_REPLICA_PORT:-$((PORT + 1))}"
PYTHON="${PYTHON:-.venv/bin/python}"
HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"
if ! [[ "$REPLICAS" =~ ^[0-9]+$ ]] || [ "$REPLICAS" -lt 1 ] || [ "$REPLICAS" -gt 32 ]; then
  echo "serve: REPLICAS=$REPLICAS must be a whole number from 1 to 32" >&2
  exit 2
fi
if [ ! -x "$HAPROXY" ]; then
  echo "serve: HAProxy is not installed (as root: apt-get install haproxy; make system-packages does it)" >&2
  exit 2
fi
if [ -z "${MARKET_JOURNAL_URL:-}" ]; then
  echo "serve: set MARKET_JOURNAL_URL to the journal every process shares (postgresql+psycopg://... for a desk)" >&2
  exit 2
fi
work="$(mktemp -d)"
pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT INT TERM

# the journal's schema is made once, before the processes race to make it
"$PYTHON" -c "from data.journal import connect; connect()" || { echo "serve: the journal cannot be opened" >&2; exit 2; }

servers=""
for i in $(seq 1 "$REPLICAS"); do
  port=$((FIRST + i - 1))
  "$PYTHON" -m services dashboard --port "$port" --address 127.0.0.1 >"$work/replica$i.log" 2>&1 &
  pids+=($!)
  servers+="    server s$i 127.0.0.1:$port check cookie s$i"$'\n'
done

cat >"$work/haproxy.cfg" <<EOF
global
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    option http-server-close
frontend dashboard
    bind 127.0.0.1:$PORT
    default_backend replicas
backend replicas
    balance roundrobin
    cookie SERVERID insert indirect nocache
    option httpchk GET /_stcore/health
    http-response set-header X-Served-By %s
$servers
EOF

# serve once every process answers its health check
for i in $(seq 1 "$REPLICAS"); do
  port=$((FIRST + i - 1))
  for _ in $(seq 1 120); do
    if "$PYTHON" -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2).read() != b'ok')" 2>/dev/null; then
      break
    fi
    sleep 0.5
  done
done
"$HAPROXY" -f "$work/haproxy.cfg" -db &
pids+=($!)
echo "serving $REPLICAS dashboard processes at http://127.0.0.1:$PORT (journal: shared)" >&2
wait -n "${pids[@]}"
