#!/usr/bin/env bash
# Local Kafka + Elasticsearch + MongoDB-wire stack on loopback, without Docker.
#
#   scripts/stack.sh install   fetch and build everything into $STACK_HOME (idempotent)
#   scripts/stack.sh start     start the services that are not running, wait until ready
#   scripts/stack.sh stop      stop the services this script started (recorded pids only)
#   scripts/stack.sh status    up/down per service, then the env lines for the tests
#   scripts/stack.sh env       only the env lines:  eval "$(scripts/stack.sh env)"
#   scripts/stack.sh smoke     round trip through each running service
#   scripts/stack.sh restart SVC [--kill]
#                              stop one service (TERM, or KILL with --kill) and start it again
#                              on its kept data (kafka, elasticsearch, ferretdb): the fault tests
#
# Services: Kafka (KRaft, 127.0.0.1:9092, controller 9093), Elasticsearch
# (127.0.0.1:9200, transport 9300), FerretDB with SQLite (127.0.0.1:27017).
# Everything downloaded, built, logged or stored lives under STACK_HOME, outside the repo.
# Data is wiped when a stopped service is started, unless KEEP_DATA=1.
# See docs/local-stack.md.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

# runuser and useradd live in sbin, and Go in /usr/local/go/bin: a bare PATH may lack both.
PATH=$PATH:/usr/sbin:/sbin:/usr/local/go/bin
STACK_HOME=${STACK_HOME:-/var/cache/atlas-audit-stack}
RUN_DIR=$STACK_HOME/run
DATA_DIR=$RUN_DIR/data
ASSETS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/stack

KAFKA_V=4.1.2
LOG4J_V=2.24.3
ES_V=8.19.21
FDB_V=v1.24.2
MAVEN_DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1

JAVA17_HOME=${STACK_JAVA17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
KAFKA_HEAP=${KAFKA_HEAP:-512m}
ES_HEAP=${ES_HEAP:-512m}
ES_USER=esrun
# Fixed 22-character base64url id: formatting with --ignore-formatted is then idempotent
# for KEEP_DATA=1 restarts.
KAFKA_CLUSTER_ID=YXRsYXMtYXVkaXQtbG9jYW
KAFKA_PORT=9092 KAFKA_CONTROLLER_PORT=9093
ES_PORT=9200 ES_TRANSPORT_PORT=9300
FDB_PORT=27017

KAFKA_HOME=$STACK_HOME/kafka-$KAFKA_V
ES_HOME=$STACK_HOME/elasticsearch-$ES_V
FDB_HOME=$STACK_HOME/ferretdb-$FDB_V

KAFKA_READY_S=${KAFKA_READY_S:-90}
ES_READY_S=${ES_READY_S:-120}
FDB_READY_S=${FDB_READY_S:-30}
STOP_GRACE_S=30

# ---------------------------------------------------------------- output and timing
now_ms() { echo $(($(date +%s%N) / 1000000)); }
log() { printf '[stack %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[stack %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }
fmt_ms() { printf '%d.%01ds' $(($1 / 1000)) $((($1 % 1000) / 100)); }

# timed LABEL CMD...: runs CMD and prints how long it took. A failure ends the script
# through errexit (report_failure below says so), except where the caller
# handles it with `timed ... || ...`.
timed() {
  local label=$1 t0
  shift
  t0=$(now_ms)
  "$@"
  log "$label: $(fmt_ms $(($(now_ms) - t0)))"
}

# report_failure: EXIT trap of install/start/stop/smoke, so that an errexit ending (whose
# failing command has printed its own error) is never mistaken for success.
report_failure() {
  local rc=$?
  [ "$rc" -eq 0 ] || printf '[stack %s] FAILED: scripts/stack.sh %s (exit %s)\n' "$(date +%H:%M:%S)" "$CMD" "$rc" >&2
}

# fail_with_log MSG FILE...: prints the last 80 lines of each log, then exits 1.
fail_with_log() {
  local msg=$1 f
  shift
  for f in "$@"; do
    [ -f "$f" ] || continue
    printf '\n----- last 80 lines of %s -----\n' "$f" >&2
    tail -n 80 "$f" >&2
  done
  die "$msg"
}

# Serialise install/start/stop between concurrent callers (several engineers, one stack).
# The fd is closed for every service launched, so a running service never holds it.
take_lock() {
  mkdir -p "$STACK_HOME"
  exec 9>"$STACK_HOME/.lock"
  flock -w 900 9 || die "another scripts/stack.sh held $STACK_HOME/.lock for 15 minutes"
}

# ---------------------------------------------------------------- process helpers
port_in_use() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
port_owner() { ss -Hltnp "sport = :$1" 2>/dev/null | sed 's/.*users:/users:/' | head -1; }

# pid_matches PID MARKER: PID is alive and its command line contains MARKER, so a pid
# recycled by an unrelated process is never mistaken for (or signalled as) ours.
pid_matches() {
  local pid=$1 marker=$2
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"
}

# running PID: alive and not a zombie (a launcher that failed stays one until reaped).
running() { ps -o stat= -p "$1" 2>/dev/null | grep -qv '^Z'; }

read_pid() { if [ -f "$1" ]; then tr -dc '0-9' <"$1"; fi; }

# service_pid SVC: the recorded pid of SVC if that process is alive and ours, else empty.
service_pid() {
  local pid
  pid=$(read_pid "$(pid_file "$1")")
  if [ -n "$pid" ] && pid_matches "$pid" "$(marker "$1")"; then echo "$pid"; fi
}

pid_file() {
  case $1 in
    kafka) echo "$RUN_DIR/kafka.pid" ;;
    elasticsearch) echo "$RUN_DIR/es/es.pid" ;; # written by ES itself (-p), as $ES_USER
    ferretdb) echo "$RUN_DIR/ferretdb.pid" ;;
  esac
}
marker() {
  case $1 in
    kafka) echo "-Datlas.stack=kafka" ;;
    elasticsearch) echo "-Datlas.stack=elasticsearch" ;;
    ferretdb) echo "$FDB_HOME/bin/ferretdb" ;;
  esac
}
ports() {
  case $1 in
    kafka) echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ;;
    elasticsearch) echo "$ES_PORT $ES_TRANSPORT_PORT" ;;
    ferretdb) echo "$FDB_PORT" ;;
  esac
}
# fail_svc SVC MSG: fail_with_log with the service's own logs.
fail_svc() {
  case $1 in
    kafka) fail_with_log "kafka: $2" "$RUN_DIR/kafka.log" ;;
    elasticsearch) fail_with_log "elasticsearch: $2" "$RUN_DIR/es.out" "$RUN_DIR/es/logs/atlas-audit-local.log" ;;
    ferretdb) fail_with_log "ferretdb: $2" "$RUN_DIR/ferretdb.log" ;;
  esac
}

# ---------------------------------------------------------------- readiness probes
# kafka_ready, es_ready, mongo_ping and the small MongoDB wire client used by smoke.
# shellcheck source=stack/probes.sh
. "$ASSETS/probes.sh"

# ---------------------------------------------------------------- install
need_root() { [ "$(id -u)" -eq 0 ]; }

ensure_tools() {
  local missing=()
  command -v unzip >/dev/null || missing+=(unzip)
  command -v curl >/dev/null || missing+=(curl)
  command -v ss >/dev/null || missing+=(iproute2)
  command -v flock >/dev/null || missing+=(util-linux)
  command -v mvn >/dev/null || missing+=(maven)
  [ -x "$JAVA17_HOME/bin/java" ] || missing+=(openjdk-17-jdk-headless)
  if [ ${#missing[@]} -gt 0 ]; then
    need_root || die "missing tools (${missing[*]}) and not root: install them first"
    log "apt-get install -y ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
      DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    }
  fi
  command -v go >/dev/null || die "go is not on PATH (FerretDB is built from source; needs Go >= 1.24)"
  local gov
  gov=$(go env GOVERSION | sed 's/^go//')
  [ "$(printf '%s\n' 1.24 "$gov" | sort -V | head -1)" = 1.24 ] ||
    die "go $gov is older than 1.24, which FerretDB $FDB_V needs"
  "$JAVA17_HOME/bin/java" -version 2>&1 | grep -q 'version "17' ||
    die "$JAVA17_HOME is not a Java 17 (set STACK_JAVA17_HOME)"
}

# mvn_q LOG ARGS...: Maven against a local repository inside STACK_HOME (so deleting
# STACK_HOME really is a cold start); output goes to LOG and is shown only on failure.
mvn_q() {
  local out=$1
  shift
  mvn -B -Dmaven.repo.local="$STACK_HOME/m2" "$@" >"$out" 2>&1 || fail_with_log "mvn $* failed" "$out"
}

# ok_current DIR STAMP: DIR/.ok exists and records STAMP (written last by each install).
ok_current() { [ -f "$1/.ok" ] && [ "$(cat "$1/.ok")" = "$2" ]; }

install_kafka() {
  local stamp
  stamp="kafka_2.13 $KAFKA_V log4j $LOG4J_V $(sha1sum <"$ASSETS/kafka-pom.xml" | cut -c1-12)"
  if ok_current "$KAFKA_HOME" "$stamp"; then log "kafka $KAFKA_V: already installed"; return; fi
  rm -rf "$KAFKA_HOME" && mkdir -p "$KAFKA_HOME"
  cp "$ASSETS/kafka-pom.xml" "$KAFKA_HOME/pom.xml"
  timed "kafka $KAFKA_V: resolve jars (copy-dependencies)" \
    mvn_q "$KAFKA_HOME/install.log" -f "$KAFKA_HOME/pom.xml" "$MAVEN_DEP_PLUGIN:copy-dependencies" \
    -Dkafka.version="$KAFKA_V" -Dlog4j.version="$LOG4J_V" \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs"
  local jar
  for jar in "kafka_2.13-$KAFKA_V" "log4j-slf4j-impl-$LOG4J_V" "log4j-core-$LOG4J_V"; do
    [ -f "$KAFKA_HOME/libs/$jar.jar" ] || die "kafka: $jar.jar missing from $KAFKA_HOME/libs"
  done
  log "kafka $KAFKA_V: $(find "$KAFKA_HOME/libs" -name '*.jar' | wc -l) jars, $(du -sh "$KAFKA_HOME/libs" | cut -f1)"
  echo "$stamp" >"$KAFKA_HOME/.ok"
}

install_es() {
  local stamp="elasticsearch integ-test-zip $ES_V" zip tmp
  if ok_current "$ES_HOME" "$stamp"; then
    log "elasticsearch $ES_V: already installed"
  else
    timed "elasticsearch $ES_V: download integ-test-zip" \
      mvn_q "$STACK_HOME/es-download.log" "$MAVEN_DEP_PLUGIN:get" -Dtransitive=false \
      -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_V:zip"
    zip=$STACK_HOME/m2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_V/elasticsearch-$ES_V.zip
    [ -f "$zip" ] || die "elasticsearch: $zip not found after download"
    tmp=$STACK_HOME/.unzip-es
    rm -rf "$tmp" "$ES_HOME" && mkdir -p "$tmp"
    # unzip, not a scripting language's zip module: the launchers need their exec bits.
    timed "elasticsearch $ES_V: unzip" unzip -q "$zip" -d "$tmp"
    mv "$tmp/elasticsearch-$ES_V" "$ES_HOME" && rm -rf "$tmp"
    echo "$stamp" >"$ES_HOME/.ok"
  fi
  # Elasticsearch refuses to run as root: it runs as a system user owning its home.
  if need_root; then
    id -u "$ES_USER" >/dev/null 2>&1 ||
      timed "elasticsearch: create system user $ES_USER" \
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
    chown -R "$ES_USER:" "$ES_HOME"
  fi
}

fdb_download() {
  (cd "$STACK_HOME" && go mod download -json "github.com/FerretDB/FerretDB@$FDB_V" >"$FDB_HOME/module.json")
}
fdb_build() {
  (cd "$1" && go build -trimpath -o "$FDB_HOME/bin/ferretdb" ./cmd/ferretdb >"$FDB_HOME/build.log" 2>&1)
}

install_ferretdb() {
  local stamp="ferretdb $FDB_V sqlite cgo=0" src build
  if ok_current "$FDB_HOME" "$stamp"; then log "ferretdb $FDB_V: already installed"; return; fi
  rm -rf "$FDB_HOME" && mkdir -p "$FDB_HOME/bin"
  export GOMODCACHE=$STACK_HOME/go/mod GOCACHE=$STACK_HOME/go/build
  export GOFLAGS="-modcacherw -mod=mod -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0
  timed "ferretdb $FDB_V: download module source" fdb_download
  src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$FDB_HOME/module.json")
  [ -d "$src" ] || die "ferretdb: module source directory not found ($src)"
  build=$FDB_HOME/src
  cp -r "$src" "$build" && chmod -R u+w "$build"
  # The module zip lacks the git-ignored version.txt, without which the binary panics at
  # start ("Invalid build/version/version.txt file content").
  echo "$FDB_V" >"$build/build/version/version.txt"
  timed "ferretdb $FDB_V: go build (CGO_ENABLED=0, downloads dependencies)" fdb_build "$build" ||
    fail_with_log "ferretdb: go build failed" "$FDB_HOME/build.log"
  "$FDB_HOME/bin/ferretdb" --version | grep -q "version: $FDB_V" ||
    die "ferretdb: built binary does not report $FDB_V"
  # The module cache stays (a rebuild needs no network); the ~0.5 GB build cache does not.
  rm -rf "$build" "$GOCACHE"
  echo "$stamp" >"$FDB_HOME/.ok"
}

cmd_install() {
  take_lock
  local t0
  t0=$(now_ms)
  timed "check tools" ensure_tools
  install_kafka
  install_es
  install_ferretdb
  log "install done in $(fmt_ms $(($(now_ms) - t0))) (STACK_HOME=$STACK_HOME)"
}

# ---------------------------------------------------------------- start
require_installed() {
  local d
  for d in "$KAFKA_HOME" "$ES_HOME" "$FDB_HOME"; do
    [ -f "$d/.ok" ] || die "$d is not installed: run scripts/stack.sh install first"
  done
}

# prepare SVC: returns 1 if SVC already runs (nothing to do); fails loudly if one of its
# ports belongs to another process; otherwise clears stale pid files and (unless
# KEEP_DATA=1) the service's data.
prepare() {
  local svc=$1 pid port
  pid=$(service_pid "$svc")
  if [ -n "$pid" ]; then
    log "$svc: already running (pid $pid)"
    return 1
  fi
  rm -f "$(pid_file "$svc")"
  for port in $(ports "$svc"); do
    port_in_use "$port" &&
      die "$svc: port 127.0.0.1:$port is taken by a process this script did not start: $(port_owner "$port")"
  done
  if [ "${KEEP_DATA:-0}" != 1 ]; then rm -rf "${DATA_DIR:?}/$svc"; fi
  mkdir -p "$DATA_DIR/$svc"
  return 0
}

launch_ferretdb() {
  prepare ferretdb || return 0
  mkdir -p "$RUN_DIR/ferretdb-state"
  setsid "$FDB_HOME/bin/ferretdb" --handler=sqlite --sqlite-url="file:$DATA_DIR/ferretdb/" \
    --listen-addr="127.0.0.1:$FDB_PORT" --state-dir="$RUN_DIR/ferretdb-state" \
    --debug-addr=- --telemetry=disable --log-level=warn \
    </dev/null >"$RUN_DIR/ferretdb.log" 2>&1 9>&- &
  echo $! >"$RUN_DIR/ferretdb.pid"
  log "ferretdb: launched (pid $!)"
}

# Formats (once) the KRaft metadata and log directory; also truncates kafka.log, so the
# readiness check only ever sees this run's "Kafka Server started".
kafka_format() {
  "$JAVA17_HOME/bin/java" -Xmx256m -cp "$KAFKA_HOME/libs/*" \
    -Dlog4j2.configurationFile="file:$ASSETS/kafka-log4j2.properties" \
    kafka.tools.StorageTool format -t "$KAFKA_CLUSTER_ID" -c "$1" --ignore-formatted \
    </dev/null >"$RUN_DIR/kafka.log" 2>&1
}

launch_kafka() {
  prepare kafka || return 0
  local conf=$RUN_DIR/kafka/server.properties java=$JAVA17_HOME/bin/java
  mkdir -p "$RUN_DIR/kafka"
  {
    cat "$ASSETS/kafka-server.properties"
    echo "log.dirs=$DATA_DIR/kafka"
  } >"$conf"
  timed "kafka: format storage" kafka_format "$conf" ||
    fail_with_log "kafka: storage format failed" "$RUN_DIR/kafka.log"
  setsid "$java" -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Datlas.stack=kafka \
    -Dkafka.logs.dir="$RUN_DIR/kafka" \
    -Dlog4j2.configurationFile="file:$ASSETS/kafka-log4j2.properties" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$conf" \
    </dev/null >>"$RUN_DIR/kafka.log" 2>&1 9>&- &
  echo $! >"$RUN_DIR/kafka.pid"
  log "kafka: launched (pid $!)"
}

ES_LAUNCHER_PID=
launch_es() {
  prepare elasticsearch || return 0
  local es_run=$RUN_DIR/es as=()
  rm -rf "$es_run" && mkdir -p "$es_run/logs" "$es_run/tmp"
  if need_root; then
    chown -R "$ES_USER:" "$es_run" "$DATA_DIR/elasticsearch"
    as=(runuser -u "$ES_USER" --)
  fi
  # -d daemonises the server JVM and -p makes it record its own pid; the launcher exits
  # once the node has started (or failed), so it runs in the background while we poll.
  (cd "$ES_HOME" && exec setsid "${as[@]}" env -i PATH=/usr/bin:/bin HOME="$es_run" \
    ES_JAVA_HOME="$JAVA17_HOME" ES_TMPDIR="$es_run/tmp" \
    ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP -Datlas.stack=elasticsearch" \
    "$ES_HOME/bin/elasticsearch" -d -p "$es_run/es.pid" \
    -E cluster.name=atlas-audit-local -E node.name=local \
    -E discovery.type=single-node -E network.host=127.0.0.1 \
    -E http.port="$ES_PORT" -E transport.port="$ES_TRANSPORT_PORT" \
    -E path.data="$DATA_DIR/elasticsearch" -E path.logs="$es_run/logs" \
    -E xpack.security.enabled=false \
    -E cluster.routing.allocation.disk.threshold_enabled=false \
    -E action.destructive_requires_name=false \
    </dev/null >"$RUN_DIR/es.out" 2>&1 9>&-) &
  ES_LAUNCHER_PID=$!
  echo "$ES_LAUNCHER_PID" >"$RUN_DIR/es-launcher.pid"
  log "elasticsearch: launched (launcher pid $ES_LAUNCHER_PID)"
}

# wait_ready SVC DEADLINE_S PROBE: polls PROBE until it succeeds; fails with the log tail
# when the deadline passes or the service's process dies.
wait_ready() {
  local svc=$1 deadline_s=$2 probe=$3 t0 pid
  t0=$(now_ms)
  while true; do
    if $probe; then
      pid=$(service_pid "$svc")
      [ -n "$pid" ] || fail_svc "$svc" "answers on its port but the recorded pid is not alive; another process owns the port?"
      log "$svc: ready after $(fmt_ms $(($(now_ms) - t0))) (pid $pid)"
      return 0
    fi
    if [ "$svc" = elasticsearch ]; then
      # Before its pid file exists only the launcher tells whether startup is still going.
      if [ -z "$(service_pid "$svc")" ] &&
        { [ -z "$ES_LAUNCHER_PID" ] || ! running "$ES_LAUNCHER_PID"; }; then
        fail_svc "$svc" "exited during startup"
      fi
    elif [ -z "$(service_pid "$svc")" ]; then
      fail_svc "$svc" "exited during startup"
    fi
    [ $(($(now_ms) - t0)) -lt $((deadline_s * 1000)) ] ||
      fail_svc "$svc" "not ready within ${deadline_s}s (left running for inspection; 'scripts/stack.sh stop' ends it)"
    sleep 0.5
  done
}

kafka_started() { grep -q 'Kafka Server started' "$RUN_DIR/kafka.log" 2>/dev/null && kafka_ready; }

cmd_start() {
  take_lock
  require_installed
  mkdir -p "$RUN_DIR" "$DATA_DIR"
  local t0
  t0=$(now_ms)
  # Launch all three, then wait: the JVM start-ups overlap.
  launch_ferretdb
  launch_kafka
  launch_es
  wait_ready ferretdb "$FDB_READY_S" mongo_ping
  wait_ready kafka "$KAFKA_READY_S" kafka_started
  wait_ready elasticsearch "$ES_READY_S" es_ready
  rm -f "$RUN_DIR/es-launcher.pid"
  log "start done in $(fmt_ms $(($(now_ms) - t0)))"
  print_env
}

# ---------------------------------------------------------------- stop
# stop_pids SVC:PID...: TERM to all at once, wait up to STOP_GRACE_S for each, then KILL.
stop_pids() {
  local t0 item svc pid
  t0=$(now_ms)
  for item in "$@"; do kill -TERM "${item#*:}" 2>/dev/null || true; done
  for item in "$@"; do
    svc=${item%%:*} pid=${item#*:}
    while kill -0 "$pid" 2>/dev/null; do
      if [ $(($(now_ms) - t0)) -ge $((STOP_GRACE_S * 1000)) ]; then
        log "$svc: still alive after ${STOP_GRACE_S}s, sending KILL to $pid"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
        break
      fi
      sleep 0.2
    done
    log "$svc: stopped pid $pid after $(fmt_ms $(($(now_ms) - t0)))"
  done
}

cmd_stop() {
  take_lock
  local pid svc targets=()
  # An Elasticsearch launcher still waiting for its node (an interrupted start).
  pid=$(read_pid "$RUN_DIR/es-launcher.pid")
  if [ -n "$pid" ] && pid_matches "$pid" "$ES_HOME/"; then targets+=("elasticsearch-launcher:$pid"); fi
  for svc in elasticsearch kafka ferretdb; do
    pid=$(service_pid "$svc")
    if [ -n "$pid" ]; then targets+=("$svc:$pid"); else log "$svc: not running"; fi
  done
  [ ${#targets[@]} -eq 0 ] || stop_pids "${targets[@]}"
  rm -f "$RUN_DIR/es-launcher.pid" "$(pid_file elasticsearch)" "$(pid_file kafka)" "$(pid_file ferretdb)"
}

# restart SVC [--kill]: one service down (TERM and wait, or KILL) and up again on the same data,
# ready before it returns. Used by the fault matrix (broker and MongoDB-wire server restarts).
cmd_restart() {
  local svc=${1:-} how=${2:-} pid
  case $svc in kafka | elasticsearch | ferretdb) ;; *) die "restart: which service? kafka, elasticsearch or ferretdb" ;; esac
  take_lock
  require_installed
  pid=$(service_pid "$svc")
  if [ -n "$pid" ]; then
    if [ "$how" = --kill ]; then
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
      log "$svc: killed pid $pid"
    else
      stop_pids "$svc:$pid"
    fi
  fi
  rm -f "$(pid_file "$svc")"
  KEEP_DATA=1
  case $svc in
    kafka) launch_kafka && wait_ready kafka "$KAFKA_READY_S" kafka_started ;;
    elasticsearch) launch_es && wait_ready elasticsearch "$ES_READY_S" es_ready && rm -f "$RUN_DIR/es-launcher.pid" ;;
    ferretdb) launch_ferretdb && wait_ready ferretdb "$FDB_READY_S" mongo_ping ;;
  esac
}

# ---------------------------------------------------------------- status, env, smoke
print_env() {
  cat <<EOF
export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export ELASTICSEARCH_URL=http://127.0.0.1:$ES_PORT
export MONGODB_URI='mongodb://127.0.0.1:$FDB_PORT/?directConnection=true'
EOF
}

cmd_status() {
  local svc pid probe state all_up=0 port
  for svc in kafka elasticsearch ferretdb; do
    case $svc in
      kafka) probe=kafka_ready ;; elasticsearch) probe=es_ready ;; ferretdb) probe=mongo_ping ;;
    esac
    pid=$(service_pid "$svc")
    port=$(ports "$svc" | cut -d' ' -f1)
    if [ -n "$pid" ] && $probe; then
      state="up    pid $pid, 127.0.0.1:$port"
    elif [ -n "$pid" ]; then
      state="down  pid $pid alive but not answering on 127.0.0.1:$port (starting?)"
      all_up=1
    elif port_in_use "$port"; then
      state="down  (not ours: 127.0.0.1:$port is held by $(port_owner "$port"))"
      all_up=1
    else
      state="down"
      all_up=1
    fi
    printf '%-14s %s\n' "$svc" "$state"
  done
  printf '%-14s kafka %s, elasticsearch %s, ferretdb %s; STACK_HOME=%s\n' versions \
    "$KAFKA_V" "$ES_V" "$FDB_V" "$STACK_HOME"
  print_env
  return "$all_up"
}

# smoke_es, smoke_ferretdb (Kafka's check is KafkaSmoke.java, run on the broker's jars).
# shellcheck source=stack/smoke.sh
. "$ASSETS/smoke.sh"

cmd_smoke() {
  require_installed
  timed "elasticsearch smoke" smoke_es
  timed "kafka smoke (produce/consume via group)" "$JAVA17_HOME/bin/java" \
    -cp "$KAFKA_HOME/libs/*" -Dlog4j2.configurationFile="file:$ASSETS/kafka-log4j2.properties" \
    "$ASSETS/KafkaSmoke.java" "127.0.0.1:$KAFKA_PORT"
  timed "ferretdb smoke (wire protocol)" smoke_ferretdb
  log "smoke OK"
}

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

CMD=${1:-}
case $CMD in install | start | stop | smoke | restart) trap report_failure EXIT ;; esac
case $CMD in
  install) timed "stack install" cmd_install ;;
  start) cmd_start ;;
  stop) timed "stack stop" cmd_stop ;;
  status) cmd_status ;;
  env) print_env ;;
  smoke) cmd_smoke ;;
  restart) shift; timed "stack restart $*" cmd_restart "$@" ;;
  *) usage ;;
esac
