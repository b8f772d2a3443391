import type { Server } from 'bun'
import { createProvider, OfflineProvider, ResilientProvider, TimedProvider } from './ai'
import { FixedLines } from './ai/fixed-lines'
import { buildApp } from './app'
import { DeviceAuthenticator } from './auth/device-auth'
import { DeviceJwt } from './auth/device-jwt'
import { resolveSharedSecret } from './auth/shared-secret'
import { loadCodec } from './codec'
import type { Config } from './config'
import { log as rootLog, type Logger } from './obs/logger'
import { createSafety } from './safety/create-safety'
import { cachedFixed } from './safety/speak-fixed'
import { prepareSeedSessionWith, prepareXiaozhiSessionWith } from './session/open-session'
import { createStore } from './store'
import { loadFieldCipher } from './store/crypto'
import { openDatabase } from './store/database'
import { migrate } from './store/migrate'
import { MemoryNonceStore, RedisNonceStore } from './store/nonces'
import { MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from './store/rate-limits'
import { connectRedis } from './store/redis'
import { WriteBacklog } from './store/write-backlog'
import { FailoverNonceStore, FailoverRateLimiter } from './store/failover'
import type { ConnectionData } from './ws/connection'
import { createDeviceSockets, deviceProtocolOf } from './ws/device-sockets'
import { startRevocationSweep } from './ws/revocation-sweep'
import { createOperations } from './operations'
import { answersEncoding } from './session/downlink'

// Composition root: builds every part from config, wires them, listens. Nothing else constructs
// infrastructure, so tests can start a whole gateway in-process with a config object.

export const VERSION = '0.1.0'

export interface RunningGateway {
	server: Server<ConnectionData>
	url: URL
	codec: 'native' | 'fallback'
	stop(): Promise<void>
}

export async function startGateway(config: Config, log: Logger = rootLog): Promise<RunningGateway> {
	const startedAt = Date.now()
	const codec = loadCodec(config.codec)
	const secret = resolveSharedSecret(config.esp32SharedSecret, config.dataDir, log)
	const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
	const { applied } = await migrate(db.sql)
	if (applied.length > 0) log.info({ applied }, 'migrations applied')
	const cipher = loadFieldCipher(
		{ ENCRYPTION_KEY: config.encryptionKey, ENCRYPTION_KEYS_OLD: process.env.ENCRYPTION_KEYS_OLD, NODE_ENV: config.nodeEnv },
		config.dataDir,
	)
	const store = createStore(db, cipher, secret)
	const writes = new WriteBacklog({ maxPending: config.limits.writeBacklogMax, probe: () => db.sql`select 1`, log })
	const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined
	// Metrics, the fleet node (presence, cross-node commands, resume on any node): operations.ts.
	const ops = createOperations(config, log, cipher, redis)
	const counters = ops.metrics?.hot
	// ? Redis down: node-local nonces and limits until it is back (store/failover.ts), never a refused fleet.
	const redisUp = () => ops.redisDegraded() !== 1
	const nonces = redis ? new FailoverNonceStore(new RedisNonceStore(redis), new MemoryNonceStore(), redisUp) : new MemoryNonceStore()
	const deviceJwt = new DeviceJwt(secret, store.pairing, config.deviceJwtTtlSeconds)
	const auth = new DeviceAuthenticator(
		codec.createTokenVerifier(secret),
		nonces,
		{
			allowLegacyTokens: config.allowLegacyTokens,
			tokenWindowSeconds: config.limits.tokenWindowSeconds,
			nonceTtlSeconds: config.limits.nonceTtlSeconds,
		},
		undefined,
		deviceJwt,
	)
	const upstream = createProvider({ openaiApiKey: config.openaiApiKey, openaiBaseUrl: config.openaiBaseUrl, codec, ai: config.ai, counters })
	if (upstream instanceof OfflineProvider) {
		upstream.warm().catch((err) => log.warn({ err }, 'offline lines could not be pre-rendered'))
	}
	// ? Timed under the safety layer: "provider start" is after the safety set-up (obs/metrics.ts).
	const answering = ops.metrics ? new TimedProvider(upstream) : upstream
	// Child safety wraps whichever provider answers, so sessions only ever talk to the SafeProvider.
	const safety = await createSafety(answering, config, store.safety, writes, log, cachedFixed(new FixedLines({ codec })))
	const provider = safety.provider

	const perIp = config.limits.connectionsPerIpPerMinute
	const connectionLimiter: RateLimiter = redis
		? new FailoverRateLimiter(new RedisRateLimiter(redis, perIp, 60_000, 'teddy:rl:conn:'), new MemoryRateLimiter(perIp, 60_000), redisUp)
		: new MemoryRateLimiter(perIp, 60_000)
	const turnLimiter = new MemoryRateLimiter(config.limits.turnsPerDevicePerMinute, 60_000)
	// Pairing claims per IP over ten minutes: the brute-force bound on guessing six-digit codes.
	const claims = config.limits.pairClaimsPerIpPer10Min
	const claimLimiter: RateLimiter = redis
		? new FailoverRateLimiter(new RedisRateLimiter(redis, claims, 600_000, 'teddy:rl:claim:'), new MemoryRateLimiter(claims, 600_000), redisUp)
		: new MemoryRateLimiter(claims, 600_000)
	// ? Elysia handles requests without the server at hand; the socket address is noted per request here.
	const clientIps = new WeakMap<Request, string>()
	const sessionDeps = { config, log, codec, provider, store, writes, turnLimiter, resume: ops.resume, metrics: ops.metrics }
	const sockets = createDeviceSockets({
		config,
		log,
		auth,
		connectionLimiter,
		prepareSeedSession: prepareSeedSessionWith(sessionDeps),
		prepareXiaozhiSession: prepareXiaozhiSessionWith(sessionDeps),
		metrics: ops.metrics,
		fleet: { connected: (id) => ops.fleet.connected(id), disconnected: (id) => ops.fleet.disconnected(id) },
	})
	const stopRevocationSweep = startRevocationSweep({
		registry: sockets.registry,
		revokedAmong: (ids) => store.devices.revokedAmong(ids),
		intervalMs: config.revocationCheckSeconds * 1000,
		log,
	})
	let draining = false
	ops.start(sockets.registry, {
		codec: codec.kind,
		connectionsByProtocol: () => sockets.census().protocols,
		sessionsByState: () => sockets.census().states,
		circuitState: () => (upstream instanceof ResilientProvider ? upstream.breaker.state : 'none'),
		answersEncoding,
		writes: () => writes.status(),
		draining: () => draining,
	})
	const app = buildApp({
		log,
		health: {
			codec: codec.kind,
			provider: provider.name,
			version: VERSION,
			startedAt,
			connections: () => sockets.registry.size,
			draining: () => draining,
			database: async () => {
				await db.sql`select 1`
				return { ok: true, kind: db.kind }
			},
			writes: () => writes.status(),
			redis: async () => {
				if (!redis) return { ok: true, kind: 'in-process' }
				await redis.ping()
				return { ok: true, kind: 'redis' }
			},
		},
		ota: {
			auth,
			jwt: deviceJwt,
			devices: store.devices,
			bindings: store.bindings,
			families: store.safety.families,
			alerts: safety.alerts,
			log,
			pairing: store.pairing,
			secret,
			requirePairing: config.requirePairing,
			requireDeviceAuth: config.otaRequireDeviceAuth,
			publicWsUrl: config.publicWsUrl,
			timezone: config.safety.timezone,
			clientIp: (req) => clientIps.get(req) ?? 'unknown',
		},
		pairing: {
			auth,
			devices: store.devices,
			children: store.children,
			pairing: store.pairing,
			claimLimiter,
			parentApiToken: config.parentApiToken,
			clientIp: (req) => clientIps.get(req) ?? 'unknown',
		},
		operations: ops.operations(),
	})

	const server = Bun.serve<ConnectionData>({
		port: config.port,
		hostname: config.host,
		// ? GATEWAY_PROCESSES=N (main.ts): N processes on one port, the kernel spreads connections.
		reusePort: config.fleet.processes > 1,
		fetch(req, srv) {
			const url = new URL(req.url)
			const protocol = deviceProtocolOf(url.pathname)
			if (protocol) return sockets.upgrade(req, srv, url, protocol)
			clientIps.set(req, srv.requestIP(req)?.address ?? 'unknown')
			return app.handle(req)
		},
		websocket: sockets.websocket,
	})
	const url = new URL(`http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${server.port}`)
	log.info({ url: url.href, codec: codec.kind, provider: provider.name, database: db.kind, node: config.fleet.nodeId }, 'gateway listening')

	let stopped: Promise<void> | undefined
	async function stop(): Promise<void> {
		draining = true
		stopRevocationSweep()
		// Answers in flight finish (up to the grace minus time to store the last turns), then 1012.
		await sockets.drain(Math.max(0, config.shutdownGraceMs - 2000))
		// Give close frames a moment to flush before the listener goes away.
		await Bun.sleep(100)
		server.stop(true)
		await ops.close()
		// What toys said in their last turns is stored before the database connection goes.
		const left = await writes.flush(Math.max(500, config.shutdownGraceMs - 1000))
		if (left > 0) writes.close()
		connectionLimiter.close?.()
		turnLimiter.close()
		claimLimiter.close?.()
		await Promise.allSettled([provider.close?.(), safety.close(), redis?.quit(), nonces.close?.(), db.close()])
	}
	return { server, url, codec: codec.kind, stop: () => (stopped ??= stop()) }
}
