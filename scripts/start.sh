#!/usr/bin/env bash
# Starts the gateway; with no env it runs the embedded default (PGlite in ./data, offline AI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec bun gateway/src/main.ts
