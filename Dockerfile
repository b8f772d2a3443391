# syntax=docker/dockerfile:1
# Stage 1: the Rust native module (libopus and LAME built from source by their crates, statically linked).
FROM rust:1.88-bookworm AS native
RUN apt-get update && apt-get install -y --no-install-recommends cmake nodejs npm && rm -rf /var/lib/apt/lists/*
RUN npm install -g bun@1.4.5
WORKDIR /src
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY native ./native
RUN cd native && bun run build

# Stage 2: production JS dependencies only.
FROM oven/bun:1.4.5-slim AS deps
WORKDIR /app
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile --production

# Stage 3: the runtime. espeak-ng is the offline provider's voice.
FROM oven/bun:1.4.5-slim
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production PORT=8000 HOST=0.0.0.0 DATA_DIR=/data
COPY --from=deps /app/node_modules ./node_modules
COPY --from=native /src/native/index.js /src/native/*.node ./native/
COPY package.json ./
COPY gateway ./gateway
COPY sql ./sql
# the parent web app's sources: Bun.build bundles them into memory when the gateway starts
COPY app ./app
# the operator's toy commands (docs/security.md): docker exec <container> bun scripts/device.ts revoke <id>
COPY scripts/device.ts ./scripts/device.ts
RUN mkdir -p /data && chown bun:bun /data
USER bun
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD ["bun", "-e", "fetch('http://127.0.0.1:8000/health/live').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# SIGTERM drains: toys get 1012 and reconnect elsewhere; exit within 10 s.
STOPSIGNAL SIGTERM
CMD ["bun", "gateway/src/main.ts"]
