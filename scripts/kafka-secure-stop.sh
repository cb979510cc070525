#!/usr/bin/env bash
# Stops the broker started by scripts/kafka-secure-start.sh (as scripts/kafka-stop.sh does: SIGTERM,
# then SIGKILL after 30 s). Its directory stays until the next start, which begins afresh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KAFKA_DIR="${KAFKA_SECURE_DIR:-$ROOT/.kafka-secure}" exec "$ROOT/scripts/kafka-stop.sh"
