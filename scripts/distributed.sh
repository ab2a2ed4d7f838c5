#!/usr/bin/env bash
# The distributed setup on this machine, without Docker: every context as its own process on
# the engines (PostgreSQL for events, one schema per service; Kafka between services; FerretDB
# for read models), behind one gateway address.
#
#   npm run distributed:up       engines, build, start every service and the gateway, wait until ready
#   npm run distributed:status   one line per process
#   npm run distributed:down     stop the services and the gateway (the engines keep running)
#
# Ports: gateway PCP_GATEWAY_PORT (default 3100); services from PCP_SERVICE_PORT_BASE (3101..).
# Data, logs and the shared token secret live in .data/distributed (DATA_DIR for `npm run token`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/node.sh
. scripts/lib/node.sh

D="$root/.data/distributed"
RUN="$D/run"
LOGS="$D/logs"
GATEWAY_PORT="${PCP_GATEWAY_PORT:-3100}"
PORT_BASE="${PCP_SERVICE_PORT_BASE:-3101}"
ALL_SERVICES=(needs consultations tenders pilots pipeline)

say() { printf 'distributed: %s\n' "$*"; }

# The contexts that have their own service app so far.
services() {
  for s in "${ALL_SERVICES[@]}"; do
    [ -f "apps/$s/src/main.ts" ] && printf '%s\n' "$s"
  done
  return 0
}

port_of() {
  local i=0
  for s in "${ALL_SERVICES[@]}"; do
    [ "$s" = "$1" ] && { echo $((PORT_BASE + i)); return; }
    i=$((i + 1))
  done
}

running() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

wait_ready() {
  local name="$1" url="$2" deadline=$((SECONDS + 90))
  until curl -fsS -o /dev/null "$url/health/ready" 2>/dev/null; do
    if ! running "$name"; then
      say "$name stopped while starting; last lines of $LOGS/$name.log:"
      tail -n 30 "$LOGS/$name.log" | sed 's/^/    /' >&2
      exit 1
    fi
    [ $SECONDS -lt $deadline ] || { say "$name not ready after 90 s (see $LOGS/$name.log)"; exit 1; }
    sleep 0.5
  done
}

start() {
  local name="$1" main="$2"
  shift 2
  if running "$name"; then say "$name already running (pid $(cat "$RUN/$name.pid"))"; return; fi
  env "$@" nohup node --enable-source-maps "$main" >>"$LOGS/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

up() {
  pcp_use_node
  pcp_install_deps "$root"
  bash scripts/engines.sh up
  set -a
  # shellcheck disable=SC1091
  . .engines/engines.env
  set +a
  bash scripts/nx.sh run-many -t build --outputStyle=static >&2
  mkdir -p "$RUN" "$LOGS"
  [ -f "$D/jwt-secret" ] || node -e 'process.stdout.write(require("crypto").randomBytes(48).toString("base64url")+"\n")' >"$D/jwt-secret"
  chmod 600 "$D/jwt-secret"
  local secret database_url gateway_env=()
  secret="$(tr -d '\n' <"$D/jwt-secret")"
  # One database for the distributed services; each service keeps its events in its own schema.
  database_url="${PCP_TEST_POSTGRES_URL%/*}/pcp_distributed"
  node -e '
    const { Client } = require("pg");
    const c = new Client({ connectionString: process.argv[1] });
    c.connect().then(() => c.query("CREATE DATABASE pcp_distributed")).catch((e) => {
      if (e.code !== "42P04") { console.error(e.message); process.exit(1); }
    }).finally(() => c.end());' "$PCP_TEST_POSTGRES_URL"
  local s port audit_services=""
  # The pipeline's audit reads every other service's store over its /internal/audit routes.
  while read -r s; do
    [ "$s" = pipeline ] && continue
    audit_services="${audit_services:+$audit_services,}$s=http://127.0.0.1:$(port_of "$s")"
  done < <(services)
  while read -r s; do
    port="$(port_of "$s")"
    local extra=()
    [ "$s" = pipeline ] && [ -n "$audit_services" ] && extra=(AUDIT_SERVICES="$audit_services")
    start "$s" "dist/apps/$s/src/main.js" \
      HOST=127.0.0.1 PORT="$port" DATA_DIR="$D/$s" AUTH_JWT_SECRET="$secret" LOG_LEVEL="${LOG_LEVEL:-info}" \
      EVENT_STORE=postgres DATABASE_URL="$database_url" EVENT_STORE_SCHEMA="$s" \
      INTEGRATION=kafka KAFKA_BROKERS="$PCP_TEST_KAFKA_BROKERS" \
      READ_MODELS=mongo MONGO_URL="${PCP_TEST_MONGO_URL%/*}/pcp_distributed_$s" "${extra[@]}"
    gateway_env+=("$(echo "$s" | tr '[:lower:]' '[:upper:]')_URL=http://127.0.0.1:$port")
  done < <(services)
  start gateway dist/apps/gateway/src/main.js HOST=127.0.0.1 PORT="$GATEWAY_PORT" "${gateway_env[@]}"
  while read -r s; do wait_ready "$s" "http://127.0.0.1:$(port_of "$s")"; done < <(services)
  wait_ready gateway "http://127.0.0.1:$GATEWAY_PORT"
  say "ready: http://127.0.0.1:$GATEWAY_PORT (gateway)"
  while read -r s; do say "  $s: http://127.0.0.1:$(port_of "$s") (docs at /docs)"; done < <(services)
  say "tokens: DATA_DIR=.data/distributed npm run token -- --sub ana --org sergas --roles procurer"
  say "logs: $LOGS"
}

down() {
  local name pid
  for name in gateway $(services); do
    [ -f "$RUN/$name.pid" ] || continue
    pid="$(cat "$RUN/$name.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      say "$name stopped"
    fi
    rm -f "$RUN/$name.pid"
  done
}

status() {
  local name down=0
  for name in gateway $(services); do
    if running "$name"; then say "$name up (pid $(cat "$RUN/$name.pid"))"; else say "$name down"; down=1; fi
  done
  return "$down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
