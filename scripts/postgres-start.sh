#!/usr/bin/env bash
# Starts a PostgreSQL server for tests and local use on $PG_HOST:$PG_PORT (default 127.0.0.1:5432)
# with a database `tributary`, and prints its DATABASE_URL on the last line of stdout. Installs
# PostgreSQL from Debian (apt-get) if missing; the cluster lives in the git-ignored .postgres/
# (owned by the `postgres` user when run as root: the server refuses to run as root). Local
# connections are trusted (no password): this is a development server, never expose it.
# TLS is on (sslmode=verify-full&sslrootcert=$PG_TLS_CA, default .postgres/tls/ca.pem), plaintext too.
# Idempotent: a server already started by this script is reused. Exits non-zero saying why if
# PostgreSQL cannot be installed, initialised or started.
#   scripts/postgres-start.sh [--fresh]    --fresh: stop it and wipe its data first
#   eval "export DATABASE_URL=$(scripts/postgres-start.sh | tail -n 1)"
set -euo pipefail
source "$(dirname "$0")/postgres/env.sh"

fail() {
  echo "postgres-start: $*" >&2
  exit 1
}
say() { echo "postgres-start: $*" >&2; }

if [[ "${1:-}" == "--fresh" ]]; then
  "$ROOT/scripts/postgres-stop.sh" >&2
  rm -rf "$PG_DIR"
fi

# 1. Binaries.
BIN="$(pg_bindir || true)"
if [[ -z "$BIN" ]]; then
  [[ "$(id -u)" == "0" ]] || fail "PostgreSQL is not installed and installing it needs root: sudo apt-get install -y postgresql"
  command -v apt-get >/dev/null || fail "PostgreSQL is not installed and apt-get is not available"
  say "installing PostgreSQL from Debian (apt-get) ..."
  apt-get update >&2 || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2 ||
    fail "apt-get install postgresql failed"
  BIN="$(pg_bindir || true)"
  [[ -n "$BIN" ]] || fail "postgresql installed but no /usr/lib/postgresql/*/bin/pg_ctl found"
fi
if [[ "$(id -u)" == "0" ]]; then
  id postgres >/dev/null 2>&1 || fail "running as root but there is no 'postgres' user to own the server"
fi

ready() {
  "$BIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -d postgres -U "$PG_USER" >/dev/null 2>&1
}

# 2. Cluster (first run only).
mkdir -p "$PG_DIR"
[[ "$(id -u)" == "0" ]] && chown postgres:postgres "$PG_DIR"
if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
  say "initialising a cluster in $PG_DATA"
  rm -rf "$PG_DATA"
  as_owner "$BIN/initdb" -D "$PG_DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2 ||
    fail "initdb failed (see output above)"
fi

# 3. TLS (first run only): a CA and a server certificate for $PG_HOST and localhost. The server
#    takes TLS and plaintext both (trust auth as before); clients choose with sslmode. Clients that
#    verify trust $PG_TLS_CA.
if [[ ! -f "$PG_TLS_DIR/server.key" ]]; then
  command -v openssl >/dev/null || fail "openssl not found (Debian: apt-get install openssl)"
  rm -rf "$PG_TLS_DIR" && mkdir -p "$PG_TLS_DIR"
  (
    cd "$PG_TLS_DIR"
    ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 3650 -subj "/CN=Tributary test PostgreSQL CA"
    openssl req "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=localhost"
    printf '%s\n' "subjectAltName=IP:$PG_HOST,DNS:localhost" "basicConstraints=CA:FALSE" >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.pem
    chmod 600 server.key ca.key
  ) >"$PG_DIR/tls.out" 2>&1 || {
    cat "$PG_DIR/tls.out" >&2
    fail "could not generate the TLS certificates with openssl"
  }
  [[ "$(id -u)" == "0" ]] && chown -R postgres:postgres "$PG_TLS_DIR"
fi
SERVER_OPTIONS="-c listen_addresses=$PG_HOST -p $PG_PORT -c unix_socket_directories=$PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c ssl=on -c ssl_cert_file=$PG_TLS_DIR/server.pem -c ssl_key_file=$PG_TLS_DIR/server.key"

# 4. Server.
running_here() {
  as_owner "$BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}
ssl_on() {
  [[ "$("$BIN/psql" -X -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc 'SHOW ssl' 2>/dev/null)" == "on" ]]
}
if running_here && ! ssl_on; then
  say "running without TLS (started by an older version of this script): restarting it with TLS"
  as_owner "$BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >&2 || fail "could not stop PostgreSQL to restart it with TLS"
fi
if running_here; then
  say "already running on $PG_HOST:$PG_PORT"
else
  if port_open "$PG_HOST" "$PG_PORT"; then
    fail "port $PG_HOST:$PG_PORT is taken by another process (another PostgreSQL?); set PG_PORT to use another port"
  fi
  as_owner touch "$PG_LOG"
  say "starting PostgreSQL ($("$BIN/postgres" --version)) on $PG_HOST:$PG_PORT"
  as_owner "$BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_READY_TIMEOUT" \
    -o "$SERVER_OPTIONS" \
    start >&2 || {
    tail -n 30 "$PG_LOG" >&2 || true
    fail "PostgreSQL did not start (log: $PG_LOG)"
  }
fi

# 5. Ready, and the database exists.
for _ in $(seq 1 "$((PG_READY_TIMEOUT * 10))"); do
  ready && break
  sleep 0.1
done
ready || fail "PostgreSQL is not accepting connections on $PG_HOST:$PG_PORT after ${PG_READY_TIMEOUT}s (log: $PG_LOG)"
psql_() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$@"; }
if [[ "$(psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" != "1" ]]; then
  psql_ -d postgres -c "CREATE DATABASE \"$PG_DATABASE\"" >&2 || fail "could not create database $PG_DATABASE"
fi
say "ready; export DATABASE_URL=$DATABASE_URL_VALUE"
echo "$DATABASE_URL_VALUE"
