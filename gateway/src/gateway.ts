import { createHmac } from 'node:crypto'
import { join } from 'node:path'
import type { Server } from 'bun'
import { CircuitBreaker, createProvider, EspeakTts, OfflineProvider, ResilientProvider, TimedProvider } from './ai'
import { FixedLines } from './ai/fixed-lines'
import { buildApp } from './app'
import { buildParentApp } from './modules/parent-app/service'
import { type ClientInfo, clientOf, trustedProxies } from './modules/edge/client-address'
import { OriginPolicy, securityHeaders } from './modules/edge/service'
import { DeviceAuthenticator } from './auth/device-auth'
import { DeviceJwt } from './auth/device-jwt'
import { resolveAuthSecret } from './auth/auth-secret'
import { resolveSharedSecret } from './auth/shared-secret'
import { loadCodec } from './codec'
import type { Config } from './config'
import { log as rootLog, type Logger } from './obs/logger'
import { baseConfig } from './modules/device-config/service'
import { ReleaseKeys } from './modules/firmware/release-keys'
import { type FirmwareDeps, imageUrl, noteRunning, offerFor } from './modules/firmware/service'
import { buildParentSide } from './parent-side'
import { createSafety } from './safety/create-safety'
import { createSmtpMailer } from './safety/mailer'
import { SafetyIdentifiers } from './safety/safety-identifier'
import { cachedFixed } from './safety/speak-fixed'
import { prepareSeedSessionWith, prepareXiaozhiSessionWith } from './ws/open-session'
import { createStore } from './store'
import { ConfigOverrideRepository } from './store/config-overrides'
import { FirmwareRepository } from './store/firmware'
import { FirmwareFiles } from './store/firmware-files'
import { loadFieldCipher } from './store/crypto'
import { openDatabase } from './store/database'
import { secureDataDir } from './store/data-dir'
import { migrate } from './store/migrate'
import { MemoryNonceStore, RedisNonceStore } from './store/nonces'
import { MemoryRateLimiter, rateLimiters } from './store/rate-limits'
import { connectRedis, whenReady } from './store/redis'
import { WriteBacklog } from './store/write-backlog'
import type { ConnectionData } from './ws/connection'
import { consentRefusal, type RefusalTarget } from './ws/consent-refusal'
import { DeviceRegistry } from './ws/device-registry'
import { createDeviceSockets, deviceProtocolOf } from './ws/device-sockets'
import { sendPolicy } from './ws/send'
import { startRevocationSweep } from './ws/revocation-sweep'
import { type ConsentKind, consentRefusalLine } from './safety/consent'
import { audit } from './modules/access/audit'
import { countingLimiters, createOperations } from './operations'
import { Admission } from './session/admission'
import { EncodeLoad } from './session/downlink'
import { PacingClock } from './session/pacer'

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
	secureDataDir(config.dataDir)
	const secret = resolveSharedSecret(config.esp32SharedSecret, config.dataDir, log)
	// Connects while the database opens; requests that need it fail fast until it is there.
	const redis = config.redisUrl ? connectRedis(config.redisUrl, { keyPrefix: config.redisKeyPrefix }) : undefined
	const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
	const { applied } = await migrate(db.sql)
	if (applied.length > 0) log.info({ applied }, 'migrations applied')
	const cipher = loadFieldCipher(
		{ ENCRYPTION_KEY: config.encryptionKey, ENCRYPTION_KEYS_OLD: config.encryptionKeysOld, NODE_ENV: config.nodeEnv },
		config.dataDir,
	)
	// Metrics, the fleet node (presence, cross-node commands, resume on any node): operations.ts.
	const registry = new DeviceRegistry()
	const ops = createOperations(config, log, cipher, redis, registry)
	const counters = ops.metrics?.hot
	const limiter = countingLimiters(rateLimiters(redis), counters)
	const limits = config.limits
	const registrations = limiter('register', limits.deviceRegistrationsPerMinute, 60_000)
	const store = createStore(db, cipher, secret, { deviceRegistrations: registrations })
	const writes = new WriteBacklog({
		maxPending: limits.writeBacklogMax,
		probe: () => db.sql`select 1`,
		log,
		onError: counters ? () => counters.storeErrors.postgres++ : undefined,
	})
	const tokenBudget = limiter('token', limits.tokensPerDevicePerMinute, 60_000)
	// ? A device within its token rate never fills its share of the in-process cache.
	const maxPerDevice = limits.tokensPerDevicePerMinute * Math.ceil(limits.nonceTtlSeconds / 60)
	const nonces = redis ? new RedisNonceStore(redis) : new MemoryNonceStore({ maxPerDevice })
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
		tokenBudget,
	)
	// One circuit for the OpenAI upstream: the answering provider and moderation both call it.
	const circuit = new CircuitBreaker({
		failureThreshold: config.ai.circuitFailures,
		cooldownMs: config.ai.circuitCooldownMs,
		onChange: (state) => log.warn({ state }, 'AI circuit changed'),
	})
	// One espeak-ng (and its render cache) for the offline voice and every fixed line.
	const tts = new EspeakTts({ binary: config.espeakBinary })
	const upstream = createProvider({ openaiApiKey: config.openaiApiKey, openaiBaseUrl: config.openaiBaseUrl, codec, ai: config.ai, tts, circuit, counters })
	if (upstream instanceof OfflineProvider) {
		upstream.warm().catch((err) => log.warn({ err }, 'offline lines could not be pre-rendered'))
	}
	// ? Timed under the safety layer: "provider start" is after the safety set-up (obs/metrics.ts).
	const answering = ops.metrics ? new TimedProvider(upstream) : upstream
	// Child safety wraps whichever provider answers, so sessions only ever talk to the SafeProvider.
	const fixedLines = new FixedLines({ codec, tts })
	const speakFixed = cachedFixed(fixedLines)
	// A toy refused for want of consent says so at once (ws/consent-refusal.ts): render its lines now.
	Promise.all(Object.values(consentRefusalLine).flatMap((l) => [fixedLines.render(l, 16000), fixedLines.render(l, 24000)])).catch((err) =>
		log.warn({ err }, 'consent lines could not be pre-rendered'),
	)
	// The line an overloaded gateway answers new turns with must cost nothing then: render it now.
	Promise.all([fixedLines.render('busy', 16000), fixedLines.render('busy', 24000)]).catch((err) => log.warn({ err }, 'the busy line could not be pre-rendered'))
	// Owned by this gateway, shared by its sessions: the pacing timer, the encode load, overload control.
	const pacing = new PacingClock()
	const encodeLoad = new EncodeLoad(codec.encodeThreads)
	const admission = new Admission(
		{ shedTurnsAtMs: limits.shedTurnsAtLateMs, refuseConnectionsAtMs: limits.refuseConnectionsAtLateMs },
		{ signal: () => pacing.lateMs(), lines: fixedLines, log, counters },
	)
	const safety = await createSafety(answering, config, store.safety, writes, log, {
		speak: speakFixed,
		circuit,
		// Keyed with the fleet secret: stable across restarts and replicas, meaningless outside.
		identifiers: new SafetyIdentifiers(secret),
	})
	const provider = safety.provider

	const connectionLimiter = limiter('conn', limits.connectionsPerIpPerMinute, 60_000)
	const turnLimiter = new MemoryRateLimiter(limits.turnsPerDevicePerMinute, 60_000)
	// Pairing claims per IP over ten minutes: the brute-force bound on guessing six-digit codes.
	const claimLimiter = limiter('claim', limits.pairClaimsPerIpPer10Min, 600_000)
	const restLimiters = {
		device: limiter('rest-device', limits.deviceRequestsPerIpPerMinute, 60_000),
		parent: limiter('rest-parent', limits.parentRequestsPerIpPerMinute, 60_000),
		other: limiter('rest', limits.restRequestsPerIpPerMinute, 60_000),
	}
	const proxies = trustedProxies(config.trustedProxies)
	const origins = new OriginPolicy(config.allowedOrigins)
	// ? Elysia handles requests without the server at hand; the client is noted per request here.
	const clients = new WeakMap<Request, ClientInfo>()
	const clientOfRequest = (req: Request): ClientInfo => clients.get(req) ?? { ip: 'unknown', key: 'unknown', secure: false }
	// Parent side: accounts, children, consent, transcripts, export, deletion (parent-side.ts).
	const resume = ops.resume
	// ? The child's words leave the gateway with any provider but the offline bear (and the bench's
	//   fake, which is wrapped like a remote provider but sends nothing anywhere).
	const thirdPartyAi = !(upstream instanceof OfflineProvider || config.ai.provider === 'fake')
	const parents = buildParentSide({
		config,
		authSecret: resolveAuthSecret(config.accounts.authSecret, config.dataDir, log),
		sql: db.sql,
		cipher,
		redis,
		log,
		mailer: config.safety.smtpUrl ? await createSmtpMailer(config.safety.smtpUrl, config.safety.smtpFrom) : undefined,
		clientIp: (req) => clientOfRequest(req).key,
		// ? Unpair, consent withdrawn, deletion and operators reach the toy on whichever node holds it.
		control: ops.fleet,
		thirdPartyAi,
		chat: { provider, codec },
		// new family rules apply from the toys' next turn on every node, not after the safety context's refresh
		familyChanged: (familyId) => {
			parents.store.children
				.list(familyId)
				.then((children) => {
					for (const c of children) ops.fleet.forgetChild(c.id, [])
				})
				.catch((err) => log.warn({ err: (err as Error).message }, 'could not refresh the safety context of a family'))
		},
		// a deleted child's data must not live on in memory on any node: the safety context and a parked session
		caches: { forget: (childId, deviceIds) => ops.fleet.forgetChild(childId, deviceIds) },
	})
	ops.fleet.onForgetChild((childId, deviceIds) => {
		safety.provider.forgetChild(childId)
		for (const d of deviceIds) resume.drop(d, childId)
	})
	const consent = {
		reader: parents.store.consents,
		thirdPartyAi,
		refuse: (target: RefusalTarget, kind: ConsentKind) => consentRefusal({ codec, speak: speakFixed, log, limits: config.limits, pacing, encodeLoad }, target, kind),
	}
	const sessionDeps = { config, log, codec, provider, store, writes, turnLimiter, resume, consent, metrics: ops.metrics, pacing, encodeLoad, admission }
	const sockets = createDeviceSockets({
		config,
		log,
		auth,
		connectionLimiter,
		originAllowed: (origin) => origins.allows(origin),
		prepareSeedSession: prepareSeedSessionWith(sessionDeps),
		prepareXiaozhiSession: prepareXiaozhiSessionWith(sessionDeps),
		registry,
		metrics: ops.metrics,
		fleet: ops.fleet,
		sendPolicy: sendPolicy(limits.sendBufferBytes),
		admission,
	})
	const stopRevocationSweep = startRevocationSweep({
		registry: sockets.registry,
		revokedAmong: (ids) => store.devices.revokedAmong(ids),
		intervalMs: config.revocationCheckSeconds * 1000,
		log,
	})
	// Device lifecycle (issue 15): the config toys fetch, the seed claim, the firmware channel.
	const lifecycle = config.lifecycle
	const purposeKey = (purpose: string) => createHmac('sha256', secret).update(purpose).digest()
	// ? Stable without configuration (box-printed secrets are made from it), and derived, not stored.
	const claimSalt = lifecycle.deviceClaimSalt ?? purposeKey('teddy-claim-salt').toString('hex').slice(0, 16)
	const releaseKeys = new ReleaseKeys(lifecycle.firmwarePublicKeys)
	const firmware: FirmwareDeps = {
		releases: new FirmwareRepository(db.sql),
		files: new FirmwareFiles(lifecycle.firmwareDir ?? join(config.dataDir, 'firmware')),
		keys: releaseKeys,
		devices: store.devices,
		auth,
		audit: parents.store.audit,
		urlKey: purposeKey('teddy-firmware-url'),
		maxBytes: lifecycle.firmwareMaxBytes,
		guard: { failureShare: lifecycle.rolloutFailureShare, minDevices: lifecycle.rolloutMinDevices, silentHours: lifecycle.rolloutSilentHours },
		log,
	}
	let draining = false
	ops.start({
		codec: codec.kind,
		connectionsByProtocol: () => sockets.census().protocols,
		sessionsByState: () => sockets.census().states,
		circuitState: () => (upstream instanceof ResilientProvider ? upstream.breaker.state : 'none'),
		answersEncoding: () => encodeLoad.answers,
		pacingLateMs: () => pacing.lateMs(),
		writes: () => writes.status(),
		draining: () => draining,
	})
	const app = buildApp({
		log,
		edge: { client: clientOfRequest, limiters: restLimiters, origins, maxBodyBytes: limits.requestBodyBytes, maxFirmwareBytes: lifecycle.firmwareMaxBytes },
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
			lastRetention: () => parents.lastRun('retention'),
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
			clientIp: (req) => clientOfRequest(req).ip,
			// the xiaozhi check-in is fed by the same channel as the manifest
			firmwareOffer: async (q) => {
				const offer = await offerFor(firmware, q.deviceId, q.model, q.version)
				return offer ? { version: offer.release.version, url: imageUrl(firmware, q.base, offer.release, q.deviceId), force: offer.force } : null
			},
		},
		pairing: {
			auth,
			devices: store.devices,
			pairing: store.pairing,
			claimLimiter,
			clientIp: (req) => clientOfRequest(req).key,
			access: parents.access,
			control: ops.fleet,
			audit: parents.store.audit,
			deviceClaim: {
				devices: store.devices,
				pairing: store.pairing,
				jwt: deviceJwt,
				nonces,
				secret,
				claimSalt,
				tokenWindowSeconds: limits.tokenWindowSeconds,
				nonceTtlSeconds: limits.nonceTtlSeconds,
				log,
			},
		},
		deviceConfig: {
			auth,
			devices: store.devices,
			families: store.safety.families,
			overrides: new ConfigOverrideRepository(db.sql),
			base: baseConfig({
				requirePairing: config.requirePairing,
				allowLegacyTokens: config.allowLegacyTokens,
				otaEnabled: releaseKeys.size > 0,
				ntpServers: lifecycle.ntpServers,
				claimSalt,
				limits,
			}),
			publicWsUrl: config.publicWsUrl,
			reportVersion: (deviceId, model, version) => noteRunning(firmware, deviceId, model, version),
			access: parents.access,
			audit: parents.store.audit,
		},
		firmware: { ...firmware, access: parents.access },
		operations: ops.operations(parents.access, (op, action, targetId) => audit(parents.store.audit, op, action, { targetId })),
		parents: parents.plugin,
		parentApp: await buildParentApp(),
	})

	if (redis && !(await whenReady(redis, 2_000))) log.warn('redis is not reachable yet: starting anyway; what needs it answers 503 until it is')
	const server = Bun.serve<ConnectionData>({
		port: config.port,
		hostname: config.host,
		// ? GATEWAY_PROCESSES=N (main.ts): N processes on one port, the kernel spreads connections.
		reusePort: config.fleet.processes > 1,
		async fetch(req, srv) {
			const url = new URL(req.url)
			const client = clientOf(srv.requestIP(req)?.address, req.headers, req.url, proxies)
			const protocol = deviceProtocolOf(url.pathname)
			if (!protocol) {
				clients.set(req, client)
				return app.handle(req)
			}
			// a socket path asked without an upgrade answers JSON, with the REST answers' headers
			const refusal = await sockets.upgrade(req, srv, url, protocol, client.key)
			if (refusal) for (const [k, v] of Object.entries(securityHeaders(url.pathname, client.secure))) refusal.headers.set(k, v)
			return refusal
		},
		websocket: sockets.websocket,
	})
	const url = new URL(`http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${server.port}`)
	parents.startJobs()
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
		for (const l of [connectionLimiter, turnLimiter, claimLimiter, registrations, tokenBudget, ...Object.values(restLimiters)]) l.close?.()
		await parents.close()
		await Promise.allSettled([provider.close?.(), safety.close(), redis?.quit(), nonces.close?.(), db.close()])
	}
	return { server, url, codec: codec.kind, stop: () => (stopped ??= stop()) }
}
