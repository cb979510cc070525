# Shared settings of scripts/kafka-*.sh (sourced). Override any of them in the environment.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KAFKA_DIR="${KAFKA_DIR:-$ROOT/.kafka}"          # git-ignored: libs/, data/, logs/, pid, config
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms128m}"
KAFKA_READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-60}"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_PID_FILE="$KAFKA_DIR/kafka.pid"
KAFKA_STDOUT="$KAFKA_DIR/logs/kafka.out"

# True when the pid file names a live process (our broker).
kafka_running() {
  [[ -f "$KAFKA_PID_FILE" ]] && kill -0 "$(cat "$KAFKA_PID_FILE")" 2>/dev/null
}

# True when something accepts TCP connections on host:port.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}
