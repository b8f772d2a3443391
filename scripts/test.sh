#!/usr/bin/env bash
# Runs every test suite (cargo for native/, bun for the gateway) against real PostgreSQL and
# Redis on loopback, and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh test || exit 1
bash scripts/setup.sh || exit 1

if [ -z "${TEST_DATABASE_URL:-}" ] || [ -z "${TEST_REDIS_URL:-}" ]; then
	services=$(bash scripts/services.sh) || { echo "could not start PostgreSQL/Redis for the tests" >&2; exit 1; }
	eval "$services"
fi

out=$(mktemp -d)
passed=0
failed=0

# cargo: "test result: ok. 12 passed; 0 failed; ..." once per test binary.
(cd native && cargo test --release 2>&1) | tee "$out/cargo.log" | grep -E '^test result|panicked|error(\[|:)' >&2
cargo_rc=${PIPESTATUS[0]}
read -r cp cf < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p+0, f+0 }' "$out/cargo.log")
passed=$((passed + cp))
failed=$((failed + cf))
[ "$cargo_rc" -ne 0 ] && [ "$cf" -eq 0 ] && failed=$((failed + 1)) # build failure counts

# Static checks, each counted as one test: the type-check and Rust lints.
check() {
	local name=$1
	shift
	if "$@" >"$out/check.log" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAILED: $name" >&2
		tail -n 30 "$out/check.log" >&2
	fi
}
check "tsc --noEmit" bunx tsc --noEmit -p .
check "tsc --noEmit (parent app)" bunx tsc --noEmit -p app
check "cargo fmt --check" bash -c 'cd native && cargo fmt --check'
check "cargo clippy -D warnings" bash -c 'cd native && cargo clippy --release --all-targets -- -D warnings'

# bun: summary lines " 42 pass" / " 1 fail". Test files run in parallel worker processes, slowest
# first (test/timings.json; refresh with --update-timings): most e2e time is waiting on paced
# audio in real time, so three workers on two cores cut the wall time without starving anyone.
bun test --timeout 60000 --parallel="${TEST_WORKERS:-3}" --timings=test/timings.json "$@" 2>&1 | tee "$out/bun.log"
bun_rc=${PIPESTATUS[0]}
bp=$(grep -E '^ *[0-9]+ pass$' "$out/bun.log" | tail -n 1 | awk '{print $1}')
bf=$(grep -E '^ *[0-9]+ fail$' "$out/bun.log" | tail -n 1 | awk '{print $1}')
passed=$((passed + ${bp:-0}))
failed=$((failed + ${bf:-0}))
[ "$bun_rc" -ne 0 ] && [ "${bf:-0}" -eq 0 ] && failed=$((failed + 1)) # crash or no tests

# ---- firmware (owned by the firmware package; firmware/README.md) ---------------------------------
# The toy's portable core and its tests, built for the host and for rv32imc (run under qemu), then
# ctest on both (the host suite talks to a real gateway process). ctest's counts join the totals.
bash firmware/host/ci.sh 2>&1 | tee "$out/firmware.log" | grep -E 'tests passed|tests failed|Failed|build failed|error|OVER BUDGET' >&2
fw_rc=${PIPESTATUS[0]}
read -r fp ff < <(awk '/tests failed out of/ { f += $4; t += $NF } END { print t - f, f + 0 }' "$out/firmware.log")
passed=$((passed + fp))
failed=$((failed + ff))
[ "$fw_rc" -ne 0 ] && [ "$ff" -eq 0 ] && failed=$((failed + 1)) # a build failure counts
# ---- end firmware ---------------------------------------------------------------------------------

rm -rf "$out"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
