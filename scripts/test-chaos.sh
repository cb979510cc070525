#!/usr/bin/env bash
# `npm run test:chaos`: the exactly-once chaos tests (packages/tributary/test/**/*.chaos.test.ts)
# against a real broker, started here if none is running (and stopped again on exit). The tests
# SIGKILL application processes and, in one variant, the broker itself (then restart it with
# scripts/kafka-start.sh), so they need the broker this script manages, not an external one.
#   CHAOS_RECORDS (100000), CHAOS_RATE (2500 records/s), CHAOS_BROKER_RECORDS (30000);
#   CHAOS_VERBOSE=1 prints events as they happen, CHAOS_KEEP=1 keeps instance logs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/use-node.sh 24
source scripts/kafka/env.sh

started_kafka=0
cleanup() {
  local status=$?
  if [[ $started_kafka == 1 ]]; then scripts/kafka-stop.sh || true; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! kafka_running; then
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    echo "test-chaos: a broker not started by scripts/kafka-start.sh answers on $KAFKA_HOST:$KAFKA_PORT; the broker-kill variant needs ours" >&2
    exit 1
  fi
  started_kafka=1
fi
scripts/kafka-start.sh
KAFKA_BROKERS="$KAFKA_HOST:$KAFKA_PORT" npm run test:chaos -w tributary-streams
