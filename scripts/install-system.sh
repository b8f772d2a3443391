#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing. Usage:
#   install-system.sh run    espeak-ng (offline voice), cmake (builds libopus in native/) and make
#                            (runs LAME's configure build in native/)
#   install-system.sh test   the above plus postgresql and redis-server for the integration tests,
#                            sox (the fake OpenAI API resamples espeak speech with it), age
#                            (scripts/backup.sh encrypts backups with it; the restore drill test),
#                            and the firmware's host/rv32 build: libopus-dev, libboost-dev (Beast),
#                            pkg-config, gcc-riscv64-unknown-elf, picolibc-riscv64-unknown-elf, qemu-user
set -euo pipefail
want=(espeak-ng cmake make)
[ "${1:-run}" = test ] && want+=(postgresql redis-server sox age)
# firmware (firmware/README.md): host build with libopus and Beast, rv32imc cross build run under qemu
[ "${1:-run}" = test ] && want+=(libopus-dev libboost-dev pkg-config gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-user)

has() {
	case "$1" in
		postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ;;
		libopus-dev) [ -f /usr/include/opus/opus.h ] ;;
		libboost-dev) [ -f /usr/include/boost/beast.hpp ] ;;
		gcc-riscv64-unknown-elf) command -v riscv64-unknown-elf-g++ >/dev/null ;;
		picolibc-riscv64-unknown-elf) [ -d /usr/lib/picolibc/riscv64-unknown-elf/lib/rv32im ] ;;
		qemu-user) command -v qemu-riscv32 >/dev/null ;;
		*) command -v "$1" >/dev/null ;;
	esac
}
missing=()
for p in "${want[@]}"; do has "$p" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "install-system: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "install-system: missing ${missing[*]}; install them (Debian: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi
