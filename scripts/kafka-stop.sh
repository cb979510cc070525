#!/usr/bin/env bash
# Stops the broker started by scripts/kafka-start.sh: SIGTERM (a clean, controlled shutdown),
# wait up to 30 s, then SIGKILL. Does nothing if it is not running. Data stays in .kafka/data.
set -euo pipefail
source "$(dirname "$0")/kafka/env.sh"

if ! kafka_running; then
  rm -f "$KAFKA_PID_FILE"
  echo "kafka-stop: not running"
  exit 0
fi
pid="$(cat "$KAFKA_PID_FILE")"
echo "kafka-stop: stopping Kafka (pid $pid)"
kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 1 300); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  echo "kafka-stop: still running after 30s, sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
fi
rm -f "$KAFKA_PID_FILE"
echo "kafka-stop: stopped"
