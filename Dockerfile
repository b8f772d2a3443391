# syntax=docker/dockerfile:1
# The gateway image: a builder stage (native module, JS dependencies, the Bun binary) and a slim
# Debian runtime with Bun, espeak-ng and the app — no Node, no compilers.
#
# The base images are build arguments. The defaults are official images for operators who reach a
# registry; where none is reachable, deploy/podman/base-images.sh debootstraps one locally:
#   podman build --build-arg BUILDER_IMAGE=localhost/teddy-base:forky \
#                --build-arg RUNTIME_IMAGE=localhost/teddy-base:forky -t teddy-gateway .
# ! Keep both on the same Debian suite: the Bun binary and the native module are built against the
#   builder's glibc and run on the runtime's.
ARG BUILDER_IMAGE=rust:1.88-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim
ARG BUN_VERSION=1.4.5

FROM ${BUILDER_IMAGE} AS build
ARG BUN_VERSION
ENV DEBIAN_FRONTEND=noninteractive
# cmake builds libopus and LAME inside their crates; Node/npm only fetch Bun from the npm registry. The official
# rust image already has cargo; a plain Debian base takes Debian's (forky has rustc >= 1.88).
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ca-certificates cmake make g++ pkg-config nodejs npm \
	&& (command -v cargo >/dev/null || apt-get install -y --no-install-recommends rustc cargo) \
	&& rm -rf /var/lib/apt/lists/*
# ? Build networks that intercept TLS: pass their CA as a secret (deploy/podman/build.sh does):
#   --secret id=hostca,src=/etc/ssl/certs/ca-certificates.crt   (absent: only a warning from Node)
ENV NODE_EXTRA_CA_CERTS=/run/secrets/hostca
# ? The npm package carries the real binary (bin/bun.exe, put there by its postinstall, which npm
#   >= 12 runs only when allowed); copy it so the runtime needs no Node.
RUN --mount=type=secret,id=hostca npm install -g --no-fund --no-audit --allow-scripts=bun bun@${BUN_VERSION} \
	&& mkdir -p /opt/bun && cp "$(npm root -g)/bun/bin/bun.exe" /opt/bun/bun \
	&& /opt/bun/bun --version
WORKDIR /src
COPY package.json bun.lock ./
RUN --mount=type=secret,id=hostca bun install --frozen-lockfile
COPY native ./native
RUN --mount=type=secret,id=hostca cd native \
	&& if [ -f /run/secrets/hostca ]; then export CARGO_HTTP_CAINFO=/run/secrets/hostca; fi \
	&& bun run build
# Production dependencies only, in their own folder, for the runtime.
RUN --mount=type=secret,id=hostca mkdir /deps && cp package.json bun.lock /deps/ && cd /deps && bun install --frozen-lockfile --production

FROM ${RUNTIME_IMAGE}
ENV DEBIAN_FRONTEND=noninteractive
# espeak-ng is the offline provider's voice; tini reaps and forwards SIGTERM to the gateway.
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ca-certificates espeak-ng tini \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin teddy
COPY --from=build /opt/bun/bun /usr/local/bin/bun
WORKDIR /app
ENV NODE_ENV=production PORT=8000 HOST=0.0.0.0 DATA_DIR=/data
COPY --from=build /deps/node_modules ./node_modules
COPY --from=build /src/native/index.js /src/native/*.node ./native/
COPY package.json ./
COPY gateway ./gateway
COPY sql ./sql
# the parent web app's sources: Bun.build bundles them into memory when the gateway starts
COPY app ./app
# operator tools: toy commands (docs/security.md: bun scripts/device.ts revoke <id>), operator
# accounts (bun scripts/operator.ts create <email>) and key rotation (bun scripts/rekey.ts)
COPY scripts/device.ts scripts/operator.ts scripts/rekey.ts ./scripts/
RUN mkdir -p /data && chown teddy:teddy /data && chmod 0700 /data
USER teddy
VOLUME /data
EXPOSE 8000 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD ["bun", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health/live').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# SIGTERM drains: answers in flight finish up to SHUTDOWN_GRACE_MS, then toys get 1012.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["bun", "gateway/src/main.ts"]
