#!/usr/bin/env bash
# Stops the server started by scripts/postgres-start.sh (fast shutdown: clients disconnected,
# data kept in .postgres/data). Does nothing if it is not running.
set -euo pipefail
source "$(dirname "$0")/postgres/env.sh"

BIN="$(pg_bindir || true)"
if [[ -z "$BIN" || ! -f "$PG_DATA/PG_VERSION" ]]; then
  echo "postgres-stop: not running (no cluster in $PG_DATA)"
  exit 0
fi
if ! as_owner "$BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
  echo "postgres-stop: not running"
  exit 0
fi
echo "postgres-stop: stopping PostgreSQL in $PG_DATA"
as_owner "$BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop || {
  echo "postgres-stop: fast shutdown timed out; trying immediate" >&2
  as_owner "$BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop
}
echo "postgres-stop: stopped"
