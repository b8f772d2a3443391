#!/usr/bin/env bash
# Runs the gateway image for real with PostgreSQL and Redis and holds a spoken turn against it:
#   deploy/podman/verify.sh          (after deploy/podman/build.sh; root, Debian's podman)
# 1. PostgreSQL and Redis containers, and the gateway container (NODE_ENV=production, its private
#    metrics port), all on the host's network namespace (ports GW_PORT, PG_PORT, REDIS_PORT).
# 2. Waits for /health/ready, then the simulator (bench/simulate.ts) streams the recorded question
#    as a seed-json toy and waits for the whole spoken answer.
# 3. Scrapes /metrics from the metrics port, then `podman stop` (SIGTERM): the gateway drains and
#    exits 0. Everything is removed at the end unless KEEP=1.
# ? Host networking: this machine's container network cannot forward ports to the host's loopback.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/deploy/podman/containers.conf}
SUITE=${SUITE:-forky}
IMAGE=${IMAGE:-localhost/teddy-gateway:dev}
SERVICES=localhost/teddy-services:$SUITE
GW_PORT=${GW_PORT:-18000}
METRICS_PORT=${METRICS_PORT:-19464}
PG_PORT=${PG_PORT:-25432}
REDIS_PORT=${REDIS_PORT:-26379}
SECRET=${ESP32_SHARED_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
AUTH=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
names=(teddy-verify-gw teddy-verify-pg teddy-verify-redis)

cleanup() { [ "${KEEP:-0}" = 1 ] || podman rm -f "${names[@]}" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

podman image exists "$SERVICES" || podman build --build-arg BASE_IMAGE=localhost/teddy-base:$SUITE -t "$SERVICES" -f deploy/podman/services.Containerfile deploy/podman
step() { echo "== $*"; }

step "PostgreSQL and Redis"
podman run -d --name teddy-verify-pg --network host "$SERVICES" bash -c \
	"mkdir -p /run/postgresql && chown postgres /run/postgresql && exec su postgres -s /bin/sh -c 'pg=\$(ls -d /usr/lib/postgresql/*/bin) && \$pg/initdb -D /tmp/pg -U teddy --auth=trust >/dev/null && exec \$pg/postgres -D /tmp/pg -c listen_addresses=127.0.0.1 -p $PG_PORT'" >/dev/null
podman run -d --name teddy-verify-redis --network host "$SERVICES" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no >/dev/null
for _ in $(seq 100); do podman exec teddy-verify-pg bash -c "\$(ls -d /usr/lib/postgresql/*/bin)/pg_isready -q -h 127.0.0.1 -p $PG_PORT" && break; sleep 0.2; done

step "gateway container $IMAGE"
podman run -d --name teddy-verify-gw --network host \
	-e NODE_ENV=production -e PORT="$GW_PORT" -e METRICS_PORT="$METRICS_PORT" \
	-e DATABASE_URL="postgres://teddy@127.0.0.1:$PG_PORT/postgres" -e REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" \
	-e ESP32_SHARED_SECRET="$SECRET" -e ENCRYPTION_KEY="$KEY" -e AUTH_SECRET="$AUTH" -e REQUIRE_PAIRING=false -e NODE_ID=verify-1 \
	"$IMAGE" >/dev/null
for i in $(seq 150); do
	curl -fsS "http://127.0.0.1:$GW_PORT/health/ready" >/dev/null 2>&1 && break
	[ "$i" = 150 ] && { podman logs teddy-verify-gw | tail -20; echo "gateway not ready" >&2; exit 1; }
	sleep 0.2
done
curl -sS "http://127.0.0.1:$GW_PORT/health/ready"; echo
podman exec teddy-verify-gw sh -c 'id -un; bun --version; command -v node || echo "no node in the runtime"'

step "a spoken turn (bench/simulate.ts, seed-json, the recorded question)"
ESP32_SHARED_SECRET=$SECRET bun bench/simulate.ts --url "ws://127.0.0.1:$GW_PORT" --device-id podman-verify-1 --out bench/out/podman-answer.wav

step "metrics (private port $METRICS_PORT)"
curl -sS "http://127.0.0.1:$METRICS_PORT/metrics" | grep -E '^teddy_(turns_total|connected_toys|frames_total|codec_info|end_of_speech_to_first_frame_seconds_count|redis_degraded|node_info)' || true

step "an operator account (scripts/operator.ts in the image) reads GET /api/v1/esp32/metrics"
password=$(podman exec teddy-verify-gw bun scripts/operator.ts create ops@verify.example | sed -n 's/^password: //p')
token=$(curl -sS -H 'content-type: application/json' -d "{\"email\":\"ops@verify.example\",\"password\":\"$password\"}" "http://127.0.0.1:$GW_PORT/api/v1/accounts/login" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
curl -sS -H "authorization: Bearer $token" "http://127.0.0.1:$GW_PORT/api/v1/esp32/metrics" | cut -c1-300; echo

step "podman stop (SIGTERM: drain, exit 0)"
podman stop -t 20 teddy-verify-gw >/dev/null
echo "exit code $(podman inspect teddy-verify-gw --format '{{.State.ExitCode}}')"
podman logs teddy-verify-gw 2>&1 | grep -E '"msg":"(gateway listening|migrations applied|draining|stopped)"' | cut -c1-220
