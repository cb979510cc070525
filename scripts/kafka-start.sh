#!/usr/bin/env bash
# Starts one Apache Kafka node (combined KRaft broker + controller) on 127.0.0.1:9092 for tests and
# local use. Fetches the broker jars from Maven Central with Maven on the first run (into
# .kafka/libs, reused later), formats KRaft storage once, starts the JVM in the background
# (pid in .kafka/kafka.pid, logs in .kafka/logs/) and waits until it answers metadata requests.
# Idempotent: a running broker is left as it is. Exits non-zero, saying why, if it cannot start.
#   scripts/kafka-start.sh [--fresh]    --fresh: stop it and wipe its data first
set -euo pipefail
source "$(dirname "$0")/kafka/env.sh"
source "$(dirname "$0")/use-node.sh" 24 # wait-ready.mjs uses the Kafka client (Node >= 22.22)
cd "$ROOT"

fail() {
  echo "kafka-start: $*" >&2
  exit 1
}

if [[ "${1:-}" == "--fresh" ]]; then
  "$ROOT/scripts/kafka-stop.sh"
  rm -rf "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
fi

if kafka_running; then
  echo "kafka-start: already running (pid $(cat "$KAFKA_PID_FILE")) on $KAFKA_HOST:$KAFKA_PORT"
  exit 0
fi
rm -f "$KAFKA_PID_FILE"
if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
  if node "$ROOT/scripts/kafka/wait-ready.mjs" "$KAFKA_HOST:$KAFKA_PORT" 5 2>/dev/null; then
    echo "kafka-start: a Kafka broker not started by this script already answers on $KAFKA_HOST:$KAFKA_PORT; using it"
    exit 0
  fi
  fail "port $KAFKA_HOST:$KAFKA_PORT is taken by something that is not a Kafka broker"
fi

command -v java >/dev/null || fail "java not found: install a JDK 17+ (Debian: apt-get install openjdk-17-jre-headless)"
[[ -d "$ROOT/node_modules/@platformatic/kafka" ]] || fail "node_modules missing: run npm ci first"

# 1. Jars (first run only).
source "$ROOT/scripts/kafka/fetch-jars.sh"
kafka_fetch_jars
CP="$KAFKA_LIBS/*"

# 2. Config (rewritten each start so changes to this script apply).
mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
CONFIG="$KAFKA_DIR/server.properties"
cat >"$CONFIG" <<PROPS
# Written by scripts/kafka-start.sh; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
PROPS
cat "$ROOT/scripts/kafka/single-node.properties" >>"$CONFIG"

# 3. KRaft storage (first run only; the cluster id is kept beside the data).
if [[ ! -f "$KAFKA_DIR/data/meta.properties" ]]; then
  CLUSTER_ID="$(java -cp "$CP" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
  [[ -n "$CLUSTER_ID" ]] || fail "could not generate a cluster id (kafka.tools.StorageTool random-uuid)"
  java -Xmx256m -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$KAFKA_DIR/logs" -cp "$CP" kafka.tools.StorageTool format \
    -t "$CLUSTER_ID" -c "$CONFIG" --ignore-formatted >"$KAFKA_DIR/logs/format.out" 2>&1 ||
    {
      cat "$KAFKA_DIR/logs/format.out" >&2
      fail "formatting KRaft storage failed"
    }
fi

# 4. Start in the background, detached from this shell's job control.
echo "kafka-start: starting Kafka on $KAFKA_HOST:$KAFKA_PORT (logs: $KAFKA_DIR/logs/)"
# shellcheck disable=SC2086
nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.properties" \
  -Dkafka.logs.dir="$KAFKA_DIR/logs" \
  -cp "$CP" kafka.Kafka "$CONFIG" >"$KAFKA_STDOUT" 2>&1 </dev/null &
echo $! >"$KAFKA_PID_FILE"

# 5. Wait until it answers (or died).
started=$SECONDS
if ! node "$ROOT/scripts/kafka/wait-ready.mjs" "$KAFKA_HOST:$KAFKA_PORT" "$KAFKA_READY_TIMEOUT"; then
  echo "---- last lines of $KAFKA_STDOUT:" >&2
  tail -n 30 "$KAFKA_STDOUT" >&2 || true
  "$ROOT/scripts/kafka-stop.sh" >/dev/null 2>&1 || true
  fail "Kafka did not become ready within ${KAFKA_READY_TIMEOUT}s"
fi
kafka_running || fail "the Kafka JVM exited; see $KAFKA_STDOUT and $KAFKA_DIR/logs/server.log"
echo "kafka-start: ready on $KAFKA_HOST:$KAFKA_PORT after $((SECONDS - started))s (pid $(cat "$KAFKA_PID_FILE"))"
