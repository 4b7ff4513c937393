# Sourced by .ci/run: a throwaway PostgreSQL (Debian's package, 15 on bookworm) for the
# service's database tests. Installs it when missing, starts a cluster in a temporary folder
# on a free loopback port, exports DAGRUTE_TEST_POSTGRES_URL and stops it on exit.
# Use it by hand too:  source .ci/postgres.sh && uv run pytest tests/app
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing PostgreSQL from Debian packages..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
DAGRUTE_PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DAGRUTE_PG_DIR=$(mktemp -d /tmp/dagrute-pg.XXXXXX)
DAGRUTE_PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

_dagrute_pg() {
  # initdb and postgres refuse to run as root: use the postgres user the package made.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "$(id -u)" = 0 ]; then chown postgres "$DAGRUTE_PG_DIR"; fi
_dagrute_pg "$DAGRUTE_PG_BIN/initdb" -D "$DAGRUTE_PG_DIR/data" -A trust -U postgres >/dev/null
_dagrute_pg "$DAGRUTE_PG_BIN/pg_ctl" -D "$DAGRUTE_PG_DIR/data" -l "$DAGRUTE_PG_DIR/server.log" -w \
  -o "-p $DAGRUTE_PG_PORT -k $DAGRUTE_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
  start >/dev/null

dagrute_stop_postgres() {
  _dagrute_pg "$DAGRUTE_PG_BIN/pg_ctl" -D "$DAGRUTE_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DAGRUTE_PG_DIR"
}
trap dagrute_stop_postgres EXIT

export DAGRUTE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$DAGRUTE_PG_PORT/postgres"
echo "PostgreSQL $("$DAGRUTE_PG_BIN/postgres" --version | awk '{print $3}') on port $DAGRUTE_PG_PORT for the tests."
