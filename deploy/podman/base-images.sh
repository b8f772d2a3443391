#!/usr/bin/env bash
# Builds the gateway's base images locally, for machines that reach Debian's archive but no image
# registry: one debootstrapped Debian rootfs (minbase) imported into podman. The Dockerfile's
# builder and runtime stages both start from it (same suite, so the Bun binary and the native
# module see the same glibc). Usage (root, Debian's podman and debootstrap):
#   deploy/podman/base-images.sh            # localhost/teddy-base:forky
#   SUITE=trixie deploy/podman/base-images.sh
# ? forky (Debian testing) because native/Cargo.toml needs rustc >= 1.88 (trixie ships 1.85).
set -euo pipefail
SUITE=${SUITE:-forky}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
IMAGE=${BASE_IMAGE:-localhost/teddy-base:$SUITE}
WORK=${WORK_DIR:-/var/tmp/teddy-rootfs-$SUITE}

command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
command -v podman >/dev/null || { echo "podman is not installed (apt-get install podman)" >&2; exit 1; }
if podman image exists "$IMAGE"; then echo "$IMAGE exists (podman rmi it to rebuild)"; exit 0; fi

# ? Older debootstrap releases know no script for a suite newer than them: testing's is sid's.
script=/usr/share/debootstrap/scripts/$SUITE
[ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid
rm -rf "$WORK"
mkdir -p "$WORK"
debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$WORK" "$MIRROR" "$script"
# An image, not a machine: no package caches, no apt lists (each stage runs apt-get update).
rm -rf "$WORK"/var/cache/apt/archives/*.deb "$WORK"/var/lib/apt/lists/*
# ! The archive's Release files carry a Valid-Until; a build host whose clock runs ahead of the
#   mirror (as the project's does) sees them as expired. Signatures are still checked.
if [ "${APT_IGNORE_VALID_UNTIL:-1}" = 1 ]; then
	echo 'Acquire::Check-Valid-Until "false";' > "$WORK/etc/apt/apt.conf.d/99teddy-valid-until"
fi
tar -C "$WORK" --numeric-owner -c . | podman import --change 'CMD ["/bin/bash"]' - "$IMAGE"
rm -rf "$WORK"
echo "built $IMAGE"
