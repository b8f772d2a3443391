#!/usr/bin/env bash
# Starts a throwaway PostgreSQL and Redis on loopback for the integration tests and prints
# the env lines that point the tests at them. Idempotent: reuses servers already running.
# Needs the Debian packages postgresql and redis-server (scripts/install-system.sh).
set -euo pipefail

PG_PORT=${TEST_PG_PORT:-55432}
REDIS_PORT=${TEST_REDIS_PORT:-56379}
RUN_DIR=${TEST_SERVICES_DIR:-/tmp/teddy-services}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

mkdir -p "$RUN_DIR"

if [ -z "$PG_BIN" ]; then
	echo "PostgreSQL server binaries not found; run scripts/install-system.sh" >&2
	exit 1
fi

# initdb refuses to run as root, so the cluster belongs to an unprivileged user.
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
	if [ ! -f "$RUN_DIR/pg/PG_VERSION" ]; then
		mkdir -p "$RUN_DIR/pg"
		[ "$(id -u)" = 0 ] && chown postgres "$RUN_DIR" "$RUN_DIR/pg"
		as_pg "$PG_BIN/initdb" -D "$RUN_DIR/pg" -U teddy --auth=trust -E UTF8 >/dev/null
	fi
	as_pg "$PG_BIN/pg_ctl" -D "$RUN_DIR/pg" -l "$RUN_DIR/pg.log" -w \
		-o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $RUN_DIR -c fsync=off -c max_connections=200" start >/dev/null
fi
for db in teddy_test; do
	if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U teddy -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
		"$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U teddy -d postgres -qc "create database $db" >/dev/null
	fi
done

if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
	redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
		--logfile "$RUN_DIR/redis.log" --dir "$RUN_DIR" >/dev/null
	for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

echo "export TEST_DATABASE_URL=postgres://teddy@127.0.0.1:$PG_PORT/teddy_test"
echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
