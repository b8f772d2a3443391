#!/usr/bin/env bash
# The firmware's CI part (called by scripts/test.sh): builds the portable core and its tests for
# the host and for rv32imc (ESP32-C3's ISA, run under qemu-riscv32), then runs both ctest suites.
# The host suite includes tests against a real gateway process, so the PostgreSQL test service
# must be up (TEST_DATABASE_URL, from scripts/services.sh). Prints ctest's own summary lines.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${FIRMWARE_BUILD_DIR:-firmware/build}
jobs=${FIRMWARE_JOBS:-2}
mkdir -p "$build"
status=0

configure_and_build() {  # name, extra cmake args...
	local name=$1
	shift
	if ! { cmake -S firmware/host -B "$build/$name" "$@" && cmake --build "$build/$name" -j "$jobs"; } >"$build/$name.log" 2>&1; then
		echo "firmware: the $name build failed:" >&2
		grep -E 'error|undefined reference' "$build/$name.log" | head -n 20 >&2
		return 1
	fi
}

if configure_and_build rv32 -DCMAKE_TOOLCHAIN_FILE="$PWD/firmware/host/cmake/rv32imc-picolibc.cmake"; then
	ctest --test-dir "$build/rv32" --output-on-failure -j "$jobs" || status=1
else
	status=1
fi
if configure_and_build host -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
	ctest --test-dir "$build/host" --output-on-failure -j "$jobs" || status=1
else
	status=1
fi
exit $status
