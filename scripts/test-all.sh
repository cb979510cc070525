#!/usr/bin/env bash
# The README's test command (`npm test`, also what .ci/run runs): unit tests, then integration
# tests against a real Kafka broker (scripts/kafka-start.sh), a secured one (SASL_SSL and ACLs,
# scripts/kafka-secure-start.sh) and, when its script is present, a
# real PostgreSQL (scripts/postgres-start.sh, unless DATABASE_URL is already set). Servers this
# script started are stopped again on exit; servers that were already running are left alone.
# Exits non-zero on any failure, including a server that cannot start.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/use-node.sh 24
source scripts/kafka/env.sh

started_kafka=0
started_postgres=0
started_secure_kafka=0
cleanup() {
  local status=$?
  if [[ $started_secure_kafka == 1 ]]; then scripts/kafka-secure-stop.sh || true; fi
  if [[ $started_postgres == 1 ]]; then scripts/postgres-stop.sh || true; fi
  if [[ $started_kafka == 1 ]]; then scripts/kafka-stop.sh || true; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== kafka"
if ! kafka_running && ! port_open "$KAFKA_HOST" "$KAFKA_PORT"; then started_kafka=1; fi
if ! scripts/kafka-start.sh; then
  echo "test-all: Kafka could not start; the integration tests need it (see above)" >&2
  exit 1
fi

if [[ -z "${DATABASE_URL:-}" && -x scripts/postgres-start.sh ]]; then
  echo "== postgres"
  source scripts/postgres/env.sh
  if ! port_open "$PG_HOST" "$PG_PORT"; then started_postgres=1; fi
  url="$(scripts/postgres-start.sh | tail -n 1)" || {
    echo "test-all: PostgreSQL could not start; the integration tests need it (see above)" >&2
    exit 1
  }
  export DATABASE_URL="$url"
  export PG_TLS_CA # the CA of its TLS certificate, for the PostgreSQL TLS tests
fi

# The security tests' broker (SASL_SSL, ACLs; scripts/kafka-secure-start.sh), started once here
# from fresh storage for every file that uses it; a file run alone starts its own.
echo "== kafka (secured)"
if [[ ! -f "${KAFKA_SECURE_DIR:-$ROOT/.kafka-secure}/kafka.pid" ]] ||
  ! kill -0 "$(cat "${KAFKA_SECURE_DIR:-$ROOT/.kafka-secure}/kafka.pid")" 2>/dev/null; then
  started_secure_kafka=1
fi
scripts/kafka-secure-start.sh >/dev/null || {
  echo "test-all: the secured Kafka broker could not start; the security tests need it (see above)" >&2
  exit 1
}

echo "== chromium (browser tests)"
scripts/chromium-install.sh

echo "== unit tests"
npm run test:unit

echo "== integration tests"
KAFKA_BROKERS="${KAFKA_BROKERS:-$KAFKA_HOST:$KAFKA_PORT}" npm run test:integration
