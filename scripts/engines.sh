#!/usr/bin/env bash
# The engines the integration tests run against, installed and started on this machine
# (no Docker needed), listening on 127.0.0.1 only:
#   PostgreSQL  127.0.0.1:54329  (Debian's server, own cluster in .engines/postgres)
#   Kafka       127.0.0.1:59092  (one KRaft node from Maven Central jars, controller on 59093)
#   FerretDB    127.0.0.1:57017  (MongoDB protocol over SQLite, built from the Go module)
#
#   bash scripts/engines.sh up       install what is missing, start what is stopped, wait until
#                                    each answers its protocol, write .engines/engines.env
#   bash scripts/engines.sh down     stop the engines this checkout started
#   bash scripts/engines.sh status   one line per engine; exit 1 when one is down
#
# PCP_ENGINES="postgres kafka" limits `up` and `down` to some engines (names: postgres, kafka,
# ferretdb; mongo is an alias of ferretdb). See scripts/engines/README.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
here="$root/scripts/engines"
E="$root/.engines"
RUN="$E/run"
LOGS="$E/logs"
CACHE="${PCP_ENGINES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pcp-engines}"

# Other ports only for a second set of engines on one machine (the tests read engines.env).
PG_PORT="${PCP_ENGINES_POSTGRES_PORT:-54329}"
KAFKA_PORT="${PCP_ENGINES_KAFKA_PORT:-59092}"
KAFKA_CONTROLLER_PORT="${PCP_ENGINES_KAFKA_CONTROLLER_PORT:-59093}"
MONGO_PORT="${PCP_ENGINES_MONGO_PORT:-57017}"
PG_URL="postgres://pcp:pcp@127.0.0.1:$PG_PORT/pcp_test"
KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
MONGO_URL="mongodb://127.0.0.1:$MONGO_PORT/pcp_test"
FERRET_BACKEND="${PCP_ENGINES_FERRETDB_BACKEND:-postgresql}"
case "$FERRET_BACKEND" in
postgresql | sqlite) ;;
*)
  echo "PCP_ENGINES_FERRETDB_BACKEND=$FERRET_BACKEND: postgresql or sqlite" >&2
  exit 2
  ;;
esac

say() { printf 'engines: %s\n' "$*"; }
fail() {
  printf 'engines: %s\n' "$*" >&2
  exit 1
}

# Runs a command with its output kept in a log; silent on success, and on failure prints the
# exact command, its exit code and the end of its output.
quiet() {
  local log="$1"
  shift
  local status=0
  mkdir -p "$(dirname "$log")"
  "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    {
      printf 'engines: FAILED (exit %s): %s\n' "$status" "$(printf '%q ' "$@")"
      printf 'engines: last lines of %s:\n' "$log"
      tail -n 40 "$log" | sed 's/^/    /'
    } >&2
    return "$status"
  fi
}

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || fail "need to install $*, but apt-get is not available"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    quiet "$LOGS/apt.log" "${sudo[@]}" apt-get update
    apt_updated=1
  fi
  say "apt-get install $*"
  quiet "$LOGS/apt.log" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

selected() {
  local want="${PCP_ENGINES:-postgres kafka ferretdb}"
  want=" ${want//mongo/ferretdb} "
  [[ "$want" == *" $1 "* ]]
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The pid in .engines/run/NAME.pid when that process is alive and still the engine (its command
# line contains MARK), so a recycled pid is never mistaken for the engine.
live_pid() {
  local file="$RUN/$1.pid" mark="$2" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$mark" || return 1
  printf '%s\n' "$pid"
}

node_ready=0
use_node() {
  [ "$node_ready" -eq 1 ] && return 0
  # shellcheck source=lib/node.sh
  . "$root/scripts/lib/node.sh"
  pcp_use_node
  pcp_install_deps "$root"
  node_ready=1
}

probe() {
  use_node
  (cd "$root" && node --no-warnings "$here/probe.js" "$@")
}

stop_pid() {
  local name="$1" pid="$2" seconds="$3"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  say "$name: still running after ${seconds}s, killing pid $pid"
  kill -KILL "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------- PostgreSQL

pg_bin=""
pg_home="$E/postgres"
pg_user=""

pg_find_bin() {
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$pg_bin" ] && [ -x "$pg_bin/postgres" ]
}

# postgres refuses to run as root: as root, the cluster belongs to the postgres system user.
as_pg() {
  if [ -n "$pg_user" ]; then
    # From /: the postgres user may not be allowed into the current directory.
    (cd / && runuser -u "$pg_user" -- "$@")
  else
    "$@"
  fi
}

pg_prepare() {
  if ! pg_find_bin; then
    apt_install postgresql
    pg_find_bin || fail "postgresql installed, but no /usr/lib/postgresql/*/bin/postgres found"
  fi
  if [ "$(id -u)" -eq 0 ]; then
    pg_user=postgres
    id "$pg_user" >/dev/null 2>&1 || fail "running as root, but there is no postgres system user to run the server"
    mkdir -p "$E"
    # The postgres user must reach the cluster; a checkout under a private directory (mode 700)
    # gets its cluster under /var/lib/pcp-engines instead, linked from .engines/postgres.
    if [ ! -L "$pg_home" ] && ! runuser -u "$pg_user" -- test -x "$E" 2>/dev/null; then
      local elsewhere
      elsewhere="/var/lib/pcp-engines/$(printf '%s' "$root" | sha1sum | cut -c1-12)/postgres"
      mkdir -p "$elsewhere"
      [ -d "$pg_home" ] && [ ! -L "$pg_home" ] && rm -rf "$pg_home"
      ln -sfn "$elsewhere" "$pg_home"
      say "postgres: $E is not reachable by the postgres user; cluster kept in $elsewhere"
    fi
    mkdir -p "$pg_home"
    pg_home="$(readlink -f "$pg_home")" # the postgres user is given real paths only
    chown "$pg_user": "$pg_home"
  else
    mkdir -p "$pg_home"
  fi
  mkdir -p "$LOGS"
  ln -sfn "$pg_home/postgres.log" "$LOGS/postgres.log"
}

pg_running() {
  [ -n "$pg_bin" ] || pg_find_bin || return 1
  [ -f "$pg_home/data/postmaster.pid" ] || return 1
  "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2
}

pg_sql() {
  PGPASSWORD=pcp PGCONNECT_TIMEOUT=5 "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U pcp "$@"
}

pg_init() {
  local data="$pg_home/data"
  [ -f "$data/PG_VERSION" ] && return 0
  say "postgres: creating cluster in $data"
  local pwfile="$pg_home/.pwfile"
  printf 'pcp\n' >"$pwfile"
  [ -z "$pg_user" ] || chown "$pg_user": "$pwfile"
  quiet "$LOGS/postgres-initdb.log" as_pg "$pg_bin/initdb" -D "$data" -U pcp --pwfile="$pwfile" \
    -A scram-sha-256 -E UTF8 --no-locale --no-instructions
  rm -f "$pwfile"
  # Test engine: durability traded for speed (a crash may lose the last commits, never a clean stop).
  cat >>"$data/postgresql.conf" <<EOF

# scripts/engines.sh
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

pg_up() {
  pg_prepare
  if pg_running; then
    say "postgres: running (pid $(head -n 1 "$pg_home/data/postmaster.pid"))"
  elif port_open "$PG_PORT"; then
    # Another checkout on this machine already serves this port with the same settings.
    say "postgres: port $PG_PORT is served from outside this checkout; using it"
    pg_sql -d postgres -c 'select 1' >/dev/null ||
      fail "postgres: 127.0.0.1:$PG_PORT answers but not as user pcp/pcp; stop whatever listens there"
  else
    pg_init
    say "postgres: starting ($("$pg_bin/postgres" --version))"
    touch "$pg_home/postgres.log"
    [ -z "$pg_user" ] || chown "$pg_user": "$pg_home/postgres.log"
    quiet "$LOGS/postgres-start.log" as_pg "$pg_bin/pg_ctl" -D "$pg_home/data" -l "$pg_home/postgres.log" -w -t 90 start 9>&- ||
      { tail -n 20 "$pg_home/postgres.log" >&2; exit 1; }
  fi
  local i
  for ((i = 0; i < 60; i++)); do
    "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 && break
    sleep 0.5
  done
  if ! pg_sql -d postgres -tAc "select 1 from pg_database where datname = 'pcp_test'" | grep -q 1; then
    pg_sql -d postgres -c 'create database pcp_test' >/dev/null
  fi
  [ "$(pg_sql -d pcp_test -tAc 'select 1')" = 1 ] || fail "postgres: a query on pcp_test did not answer"
  [ -f "$pg_home/data/postmaster.pid" ] && head -n 1 "$pg_home/data/postmaster.pid" >"$RUN/postgres.pid"
  return 0
}

pg_down() {
  pg_home="$(readlink -f "$pg_home")"
  if [ -f "$pg_home/data/postmaster.pid" ] && pg_find_bin; then
    [ "$(id -u)" -eq 0 ] && pg_user=postgres
    say "postgres: stopping"
    quiet "$LOGS/postgres-stop.log" as_pg "$pg_bin/pg_ctl" -D "$pg_home/data" -m fast -w -t 60 stop
  elif port_open "$PG_PORT"; then
    say "postgres: port $PG_PORT is served from outside this checkout; left alone"
  else
    say "postgres: not running"
  fi
  rm -f "$RUN/postgres.pid"
}

# --------------------------------------------------------------------- Kafka

kafka_home="$E/kafka"
kafka_pom="$here/kafka/pom.xml"

kafka_java() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [ "${major%%.*}" -ge 17 ] 2>/dev/null || fail "kafka: needs Java 17 or newer, found ${major:-none} ($(command -v java))"
}

# The broker's jars, resolved by Maven (cached in ~/.m2); refreshed when the pom changes.
kafka_install() {
  kafka_java
  local stamp="$kafka_home/libs/.pom.sha1" want
  want="$(sha1sum <"$kafka_pom" | cut -c1-40)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  command -v mvn >/dev/null 2>&1 || apt_install maven
  say "kafka: resolving broker jars with Maven"
  rm -rf "$kafka_home/libs"
  mkdir -p "$kafka_home/libs"
  quiet "$LOGS/kafka-install.log" mvn -q -B -ntp -Dstyle.color=never -f "$kafka_pom" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$kafka_home/libs"
  printf '%s\n' "$want" >"$stamp"
}

kafka_config() {
  mkdir -p "$kafka_home/config" "$kafka_home/data"
  cat >"$kafka_home/config/server.properties" <<EOF
# Written by scripts/engines.sh: one KRaft node that is both broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$kafka_home/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cat >"$kafka_home/config/log4j2.properties" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.config.name = org.apache.kafka.common.config
logger.config.level = warn
logger.state.name = state.change.logger
logger.state.level = warn
logger.storage.name = org.apache.kafka.storage
logger.storage.level = warn
logger.partition.name = kafka.cluster
logger.partition.level = warn
EOF
}

kafka_cp() { printf '%s/libs/*' "$kafka_home"; }

kafka_format() {
  [ -f "$kafka_home/data/meta.properties" ] && return 0
  local id
  id="$(java -cp "$(kafka_cp)" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  [ -n "$id" ] || fail "kafka: kafka.tools.StorageTool random-uuid gave no cluster id"
  say "kafka: formatting storage (cluster $id)"
  quiet "$LOGS/kafka-format.log" java -cp "$(kafka_cp)" \
    -Dlog4j2.configurationFile="$kafka_home/config/log4j2.properties" \
    kafka.tools.StorageTool format --standalone -t "$id" -c "$kafka_home/config/server.properties"
}

kafka_pid() { live_pid kafka "$kafka_home/config/server.properties"; }

kafka_start() {
  local pid
  if pid="$(kafka_pid)"; then
    say "kafka: running (pid $pid)"
    return 0
  fi
  if port_open "$KAFKA_PORT"; then
    say "kafka: port $KAFKA_PORT is served from outside this checkout; using it"
    return 0
  fi
  kafka_config
  kafka_format
  say "kafka: starting ($(basename "$(ls "$kafka_home"/libs/kafka_2.13-*.jar)" .jar))"
  mkdir -p "$LOGS" "$RUN"
  # setsid: the broker outlives the shell that started it (and its Ctrl-C).
  setsid nohup java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$kafka_home/config/log4j2.properties" \
    -cp "$(kafka_cp)" kafka.Kafka "$kafka_home/config/server.properties" \
    >>"$LOGS/kafka.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/kafka.pid"
}

kafka_wait() {
  local pid_opt=() pid
  if pid="$(kafka_pid)"; then pid_opt=(--pid="$pid"); fi
  if ! probe --timeout=120 "${pid_opt[@]}" "kafka=$KAFKA_BROKERS" >"$LOGS/kafka-probe.log" 2>&1; then
    cat "$LOGS/kafka-probe.log" >&2
    printf 'engines: last lines of %s:\n' "$LOGS/kafka.log" >&2
    tail -n 30 "$LOGS/kafka.log" 2>/dev/null | sed 's/^/    /' >&2
    fail "kafka: the broker did not answer on $KAFKA_BROKERS"
  fi
}

kafka_down() {
  local pid
  if pid="$(kafka_pid)"; then
    say "kafka: stopping (pid $pid)"
    stop_pid kafka "$pid" 60
  elif port_open "$KAFKA_PORT"; then
    say "kafka: port $KAFKA_PORT is served from outside this checkout; left alone"
  else
    say "kafka: not running"
  fi
  rm -f "$RUN/kafka.pid"
}

# ------------------------------------------------------------------ FerretDB

ferret_home="$E/ferretdb"
ferret_src="$here/ferretdb"
ferret_bin=""

# Built once per machine from scripts/engines/ferretdb (the FerretDB module pinned in its go.mod)
# into the cache, keyed by the sources, so fresh checkouts reuse the binary.
ferret_install() {
  local key
  key="$(cat "$ferret_src/go.mod" "$ferret_src/go.sum" "$ferret_src/main.go" | sha1sum | cut -c1-12)"
  ferret_bin="$CACHE/ferretdb-$key/ferretdb"
  [ -x "$ferret_bin" ] && return 0
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  fi
  command -v go >/dev/null 2>&1 || fail "ferretdb: building it needs Go 1.24 or newer on PATH (https://go.dev/dl)"
  say "ferretdb: building $(sed -n 's/^require github.com\/FerretDB\/FerretDB //p' "$ferret_src/go.mod") with $(go env GOVERSION)"
  mkdir -p "$(dirname "$ferret_bin")"
  quiet "$LOGS/ferretdb-install.log" env -C "$ferret_src" GOFLAGS=-buildvcs=false \
    go build -trimpath -ldflags='-s -w' -o "$ferret_bin.tmp" .
  mv -f "$ferret_bin.tmp" "$ferret_bin"
}

ferret_pid() { live_pid ferretdb "--listen-addr 127.0.0.1:$MONGO_PORT"; }

ferret_start() {
  local pid
  if pid="$(ferret_pid)"; then
    say "ferretdb: running (pid $pid)"
    return 0
  fi
  if port_open "$MONGO_PORT"; then
    say "ferretdb: port $MONGO_PORT is served from outside this checkout; using it"
    return 0
  fi
  mkdir -p "$ferret_home/data" "$LOGS" "$RUN"
  local backend=(--handler sqlite --sqlite-url "file:$ferret_home/data/")
  # Over this checkout's PostgreSQL by default, where ferretdb/id-index.sql gives each collection
  # an index that FerretDB's lookups by _id can use; over SQLite every write reads the whole
  # collection (about 100 ms a write at 6,000 documents). PCP_ENGINES_FERRETDB_BACKEND=sqlite
  # keeps FerretDB apart from PostgreSQL (the fault runs stop one engine without the other).
  if [ "$FERRET_BACKEND" = postgresql ]; then
    port_open "$PG_PORT" || fail "ferretdb: its PostgreSQL backend needs PostgreSQL on 127.0.0.1:$PG_PORT"
    [ -n "$pg_bin" ] || pg_find_bin || fail "ferretdb: no psql to create its database with"
    if ! pg_sql -d postgres -tAc "select 1 from pg_database where datname = 'ferretdb'" | grep -q 1; then
      pg_sql -d postgres -c 'create database ferretdb' >/dev/null
    fi
    pg_sql -d ferretdb -f "$ferret_src/id-index.sql" >/dev/null
    backend=(--handler postgresql --postgresql-url "postgres://pcp:pcp@127.0.0.1:$PG_PORT/ferretdb")
    say "ferretdb: starting (PostgreSQL backend, database ferretdb)"
  else
    say "ferretdb: starting (SQLite backend in $ferret_home/data)"
  fi
  setsid nohup "$ferret_bin" --listen-addr "127.0.0.1:$MONGO_PORT" "${backend[@]}" --log-level warn \
    >>"$LOGS/ferretdb.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/ferretdb.pid"
}

ferret_wait() {
  local pid_opt=() pid
  if pid="$(ferret_pid)"; then pid_opt=(--pid="$pid"); fi
  if ! probe --timeout=60 "${pid_opt[@]}" "mongo=$MONGO_URL" >"$LOGS/ferretdb-probe.log" 2>&1; then
    cat "$LOGS/ferretdb-probe.log" >&2
    tail -n 30 "$LOGS/ferretdb.log" 2>/dev/null | sed 's/^/    /' >&2
    fail "ferretdb: nothing answered the MongoDB protocol on $MONGO_URL"
  fi
}

ferret_down() {
  local pid
  if pid="$(ferret_pid)"; then
    say "ferretdb: stopping (pid $pid)"
    stop_pid ferretdb "$pid" 20
  elif port_open "$MONGO_PORT"; then
    say "ferretdb: port $MONGO_PORT is served from outside this checkout; left alone"
  else
    say "ferretdb: not running"
  fi
  rm -f "$RUN/ferretdb.pid"
}

# ---------------------------------------------------------------- commands

write_env() {
  local file="$E/engines.env"
  {
    echo "# Written by scripts/engines.sh up; loaded by the Jest global setup."
    pg_running || port_open "$PG_PORT" && echo "PCP_TEST_POSTGRES_URL=$PG_URL"
    port_open "$KAFKA_PORT" && echo "PCP_TEST_KAFKA_BROKERS=$KAFKA_BROKERS"
    port_open "$MONGO_PORT" && echo "PCP_TEST_MONGO_URL=$MONGO_URL"
    true
  } >"$file.tmp"
  mv -f "$file.tmp" "$file"
  # Nothing left to list (every engine stopped) is not a failure.
  { grep -v '^#' "$file" || true; } | sed 's/^/  /'
}

# Long downloads and builds run side by side; each reports its own failure.
install_all() {
  local jobs=() names=() status=0 i
  if selected kafka; then
    kafka_install &
    jobs+=($!) names+=(kafka)
  fi
  if selected ferretdb; then
    ferret_install &
    jobs+=($!) names+=(ferretdb)
  fi
  for i in "${!jobs[@]}"; do
    wait "${jobs[$i]}" || { say "${names[$i]}: installation failed" >&2; status=1; }
  done
  [ "$status" -eq 0 ] || exit 1
  # The background builds set nothing in this shell; find the binary again (now cached).
  if selected ferretdb; then ferret_install; fi
}

cmd_up() {
  local started=$SECONDS
  selected postgres && pg_up
  install_all
  selected kafka && kafka_start
  selected ferretdb && ferret_start
  selected kafka && kafka_wait
  selected ferretdb && ferret_wait
  say "up in $((SECONDS - started))s; .engines/engines.env:"
  write_env
}

cmd_down() {
  selected ferretdb && ferret_down
  selected kafka && kafka_down
  selected postgres && pg_down
  # Keep only what still answers, so the tests do not look for stopped engines.
  write_env >/dev/null
}

cmd_status() {
  local down=0
  if pg_find_bin && "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 3 &&
    [ "$(pg_sql -d pcp_test -tAc 'select 1' 2>/dev/null)" = 1 ]; then
    echo "postgres up    $PG_URL"
  else
    echo "postgres down  $PG_URL"
    down=1
  fi
  local line engine
  while read -r engine line; do
    case "$engine" in
      kafka) url="$KAFKA_BROKERS" ;;
      *) engine=ferretdb url="$MONGO_URL" ;;
    esac
    if [ "$line" = up ]; then
      printf '%-9s up    %s\n' "$engine" "$url"
    else
      printf '%-9s down  %s (%s)\n' "$engine" "$url" "${line#down: }"
      down=1
    fi
  done < <(probe --timeout=3 "kafka=$KAFKA_BROKERS" "mongo=$MONGO_URL" || true)
  return "$down"
}

mkdir -p "$RUN" "$LOGS"
case "${1:-}" in
  up | down)
    # One `up` or `down` at a time: several test runs in one checkout may start together.
    # (Every engine is started with fd 9 closed, so none of them holds the lock.)
    exec 9>"$RUN/engines.lock"
    flock -w 900 9 || fail "another engines.sh is still running (lock $RUN/engines.lock)"
    "cmd_$1"
    ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
