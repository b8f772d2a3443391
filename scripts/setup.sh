#!/usr/bin/env bash
# Makes a fresh machine (Node/npm, Rust/cargo, apt) able to run the gateway: system packages,
# Bun from npm, JS dependencies, and the native module. Safe to run again; skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system.sh run || echo "setup: continuing without them" >&2

if ! command -v bun >/dev/null; then
	echo "setup: installing Bun from npm" >&2
	npm install -g --silent bun@1.4.5 >/dev/null
fi

if [ ! -d node_modules ] || [ bun.lock -nt node_modules ]; then
	bun install --frozen-lockfile >/dev/null
	touch node_modules
fi

# Rebuild the native module when any Rust source is newer than the built .node.
node_file=$(ls native/*.node 2>/dev/null | head -n 1 || true)
if [ -z "$node_file" ] || [ -n "$(find native/core native/binding native/Cargo.toml -newer "$node_file" -type f 2>/dev/null | head -n 1)" ]; then
	if command -v cargo >/dev/null; then
		echo "setup: building the native module (first build takes a few minutes)" >&2
		if ! (cd native && bun run build >build.log 2>&1); then
			echo "setup: native build failed (see native/build.log); the gateway will use the fallback codec" >&2
		fi
	else
		echo "setup: cargo not found; the gateway will use the fallback codec" >&2
	fi
fi
