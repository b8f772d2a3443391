import type { Server } from 'bun'
import { CircuitBreaker, createProvider, OfflineProvider } from './ai'
import { FixedLines } from './ai/fixed-lines'
import { buildApp } from './app'
import { DeviceAuthenticator } from './auth/device-auth'
import { DeviceJwt } from './auth/device-jwt'
import { resolveSharedSecret } from './auth/shared-secret'
import { loadCodec } from './codec'
import type { Config } from './config'
import { log as rootLog, type Logger } from './obs/logger'
import { createSafety } from './safety/create-safety'
import { SafetyIdentifiers } from './safety/safety-identifier'
import { cachedFixed } from './safety/speak-fixed'
import { ResumeCache } from './session/resume-cache'
import { prepareSeedSessionWith, prepareXiaozhiSessionWith } from './session/open-session'
import { createStore } from './store'
import { loadFieldCipher } from './store/crypto'
import { openDatabase } from './store/database'
import { migrate } from './store/migrate'
import { MemoryNonceStore, RedisNonceStore } from './store/nonces'
import { MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from './store/rate-limits'
import { connectRedis } from './store/redis'
import type { ConnectionData } from './ws/connection'
import { createDeviceSockets, deviceProtocolOf } from './ws/device-sockets'

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
	const store = createStore(db, cipher)
	const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined
	const nonces = redis ? new RedisNonceStore(redis) : new MemoryNonceStore()
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
	// One circuit for the OpenAI upstream: the answering provider and moderation both call it.
	const circuit = new CircuitBreaker({
		failureThreshold: config.ai.circuitFailures,
		cooldownMs: config.ai.circuitCooldownMs,
		onChange: (state) => log.warn({ state }, 'AI circuit changed'),
	})
	const answering = createProvider({ openaiApiKey: config.openaiApiKey, openaiBaseUrl: config.openaiBaseUrl, codec, ai: config.ai, circuit })
	if (answering instanceof OfflineProvider) {
		answering.warm().catch((err) => log.warn({ err }, 'offline lines could not be pre-rendered'))
	}
	// Child safety wraps whichever provider answers, so sessions only ever talk to the SafeProvider.
	const safety = await createSafety(answering, config, store.safety, log, {
		speak: cachedFixed(new FixedLines({ codec })),
		circuit,
		// Keyed with the fleet secret: stable across restarts and replicas, meaningless outside.
		identifiers: new SafetyIdentifiers(secret),
	})
	const provider = safety.provider

	const connectionLimiter: RateLimiter = redis
		? new RedisRateLimiter(redis, config.limits.connectionsPerIpPerMinute, 60_000, 'teddy:rl:conn:')
		: new MemoryRateLimiter(config.limits.connectionsPerIpPerMinute, 60_000)
	const turnLimiter = new MemoryRateLimiter(config.limits.turnsPerDevicePerMinute, 60_000)
	// Pairing claims per IP over ten minutes: the brute-force bound on guessing six-digit codes.
	const claimLimiter: RateLimiter = redis
		? new RedisRateLimiter(redis, config.limits.pairClaimsPerIpPer10Min, 600_000, 'teddy:rl:claim:')
		: new MemoryRateLimiter(config.limits.pairClaimsPerIpPer10Min, 600_000)
	// ? Elysia handles requests without the server at hand; the socket address is noted per request here.
	const clientIps = new WeakMap<Request, string>()
	const sessionDeps = { config, log, codec, provider, store, turnLimiter, resume: new ResumeCache() }
	const sockets = createDeviceSockets({
		config,
		log,
		auth,
		connectionLimiter,
		prepareSeedSession: prepareSeedSessionWith(sessionDeps),
		prepareXiaozhiSession: prepareXiaozhiSessionWith(sessionDeps),
	})
	let draining = false
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
			pairing: store.pairing,
			secret,
			requirePairing: config.requirePairing,
			requireDeviceAuth: config.otaRequireDeviceAuth,
			publicWsUrl: config.publicWsUrl,
		},
		pairing: {
			auth,
			devices: store.devices,
			pairing: store.pairing,
			claimLimiter,
			parentApiToken: config.parentApiToken,
			clientIp: (req) => clientIps.get(req) ?? 'unknown',
		},
	})

	const server = Bun.serve<ConnectionData>({
		port: config.port,
		hostname: config.host,
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
	log.info({ url: url.href, codec: codec.kind, provider: provider.name, database: db.kind }, 'gateway listening')

	let stopped: Promise<void> | undefined
	async function stop(): Promise<void> {
		draining = true
		sockets.drain()
		// Give close frames a moment to flush before the listener goes away.
		await Bun.sleep(100)
		server.stop(true)
		connectionLimiter.close?.()
		turnLimiter.close()
		claimLimiter.close?.()
		await Promise.allSettled([provider.close?.(), safety.close(), redis?.quit(), nonces.close?.(), db.close()])
	}
	return { server, url, codec: codec.kind, stop: () => (stopped ??= stop()) }
}
