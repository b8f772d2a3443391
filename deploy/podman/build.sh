#!/usr/bin/env bash
# Builds the gateway image with podman from locally debootstrapped base images (no registry
# needed). Usage: deploy/podman/build.sh [tag]   (default localhost/teddy-gateway:dev)
set -euo pipefail
cd "$(dirname "$0")/../.."
SUITE=${SUITE:-forky}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/deploy/podman/containers.conf}
TAG=${1:-localhost/teddy-gateway:dev}
command -v runc >/dev/null || { echo "runc is not installed (apt-get install runc; containers.conf selects it)" >&2; exit 1; }
SUITE=$SUITE bash deploy/podman/base-images.sh
# ? This machine's network intercepts TLS with its own CA: hand the host's bundle to the build steps
# that reach npm and crates.io (a secret: it is not stored in any layer).
secret=()
[ -f "${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}" ] && secret=(--secret "id=hostca,src=${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}")
podman build --format docker "${secret[@]}" --build-arg BUILDER_IMAGE=localhost/teddy-base:$SUITE --build-arg RUNTIME_IMAGE=localhost/teddy-base:$SUITE \
	-t "$TAG" -f Dockerfile .
podman image inspect "$TAG" --format 'built {{.RepoTags}} {{.Size}} bytes'
