# Shared settings of scripts/postgres-*.sh (sourced). Override any of them in the environment.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_DIR="${PG_DIR:-$ROOT/.postgres}"        # git-ignored: data/, postgres.log
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_DATABASE="${PG_DATABASE:-tributary}"
PG_USER="${PG_USER:-postgres}"             # the cluster's superuser; local connections are trusted
PG_READY_TIMEOUT="${PG_READY_TIMEOUT:-60}"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
PG_TLS_DIR="$PG_DIR/tls"                   # CA and server certificate made by postgres-start.sh
PG_TLS_CA="$PG_TLS_DIR/ca.pem"             # what a client with sslmode=verify-full trusts
DATABASE_URL_VALUE="postgres://$PG_USER@$PG_HOST:$PG_PORT/$PG_DATABASE"

# The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<major>/bin).
pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$dir" && -x "$dir/pg_ctl" ]] && echo "$dir"
}

# PostgreSQL refuses to run as root: as root, run the server as the `postgres` system user.
as_owner() {
  if [[ "$(id -u)" == "0" ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# True when something accepts TCP connections on host:port.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}
