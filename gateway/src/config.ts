import { isIP } from 'node:net'
import { hostname } from 'node:os'
import { type Static, Type as T } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

// Env → typed config. One TypeBox schema says what each variable may hold; every bad value is
// reported at once, by its env name, before anything starts listening.

const Bool = T.Boolean()
const Int = (minimum: number, maximum: number) => T.Integer({ minimum, maximum })

export const ConfigSchema = T.Object({
	port: Int(0, 65535),
	host: T.String({ minLength: 1 }),
	dataDir: T.String({ minLength: 1 }),
	databaseUrl: T.Optional(T.String({ pattern: '^postgres(ql)?://' })),
	redisUrl: T.Optional(T.String({ pattern: '^rediss?://' })),
	// before every Redis key, so several deployments (or test runs) can share one Redis
	redisKeyPrefix: T.String({ pattern: '^[A-Za-z0-9:_.-]{0,64}$' }),
	openaiApiKey: T.Optional(T.String({ minLength: 1 })),
	openaiBaseUrl: T.Optional(T.String({ pattern: '^https?://' })),
	esp32SharedSecret: T.Optional(T.String({ pattern: '^[0-9a-fA-F]{64}$' })),
	encryptionKey: T.Optional(T.String({ minLength: 1 })),
	// comma list of retired keys that still decrypt old rows (parsed by store/crypto.ts)
	encryptionKeysOld: T.Optional(T.String({ minLength: 1 })),
	allowLegacyTokens: Bool,
	requirePairing: Bool,
	// where toys are told to open their WebSocket (xiaozhi OTA); unset = derived from the request's Host
	publicWsUrl: T.Optional(T.String({ pattern: '^wss?://[^\\s]+$' })),
	// optional error tracking (obs/error-tracking.ts); unset = off
	sentryDsn: T.Optional(T.String({ pattern: '^https?://' })),
	// an OTA check-in must carry a device token (v2, legacy or JWT) before it is given a device JWT
	otaRequireDeviceAuth: Bool,
	deviceJwtTtlSeconds: Int(60, 366 * 24 * 3600),
	// how often connected toys are checked for revocation (a revoked toy's open session is closed)
	revocationCheckSeconds: Int(1, 3600),
	codec: T.Optional(T.Union([T.Literal('native'), T.Literal('fallback')])),
	// proxies whose X-Forwarded-For (and X-Forwarded-Proto) is believed; anyone else's is ignored
	trustedProxies: T.Array(T.String({ minLength: 1 })),
	// browser origins that may call the REST API (CORS) and open device sockets; '*' = any
	allowedOrigins: T.Array(T.String({ pattern: '^(\\*|https?://[^/\\s]+)$' })),

	nodeEnv: T.String(),
	logLevel: T.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => T.Literal(l))),
	// the offline voice (and the fixed lines) run this program
	espeakBinary: T.String({ minLength: 1 }),
	limits: T.Object({
		textFrameBytes: Int(256, 1 << 20),
		binaryFrameBytes: Int(256, 1 << 20),
		turnMaxMs: Int(1000, 600_000),
		helloTimeoutMs: Int(100, 600_000),
		idleTimeoutMs: Int(1000, 3_600_000),
		tokenWindowSeconds: Int(1, 3600),
		nonceTtlSeconds: Int(60, 86_400),
		connectionsPerIpPerMinute: Int(1, 1_000_000),
		turnsPerDevicePerMinute: Int(1, 10_000),
		sendBufferBytes: Int(4096, 16 << 20),
		pairClaimsPerIpPer10Min: Int(1, 1_000_000),
		// turn writes (messages, usage, alerts) held in memory while the database is unreachable
		writeBacklogMax: Int(100, 10_000_000),
		// REST per client address and minute, by kind of route (docs/security.md "Limits")
		restRequestsPerIpPerMinute: Int(1, 1_000_000),
		deviceRequestsPerIpPerMinute: Int(1, 1_000_000),
		parentRequestsPerIpPerMinute: Int(1, 1_000_000),
		// verified tokens (v2, legacy, JWT) one device may present per minute, REST and WebSocket
		tokensPerDevicePerMinute: Int(1, 10_000),
		// new Device-Ids registered per minute across the fleet
		deviceRegistrationsPerMinute: Int(1, 1_000_000),
		requestBodyBytes: Int(1024, 16 << 20),
		// overload (session/admission.ts): smoothed pacing tick lateness, in ms, from which new
		// turns get a "moment" line and from which new connections are refused (1012)
		shedTurnsAtLateMs: Int(1, 60_000),
		refuseConnectionsAtLateMs: Int(1, 60_000),
	}),
	shutdownGraceMs: Int(0, 60_000),
	// Prometheus metrics (docs/operations.md): off only to measure their cost; a private port, a bearer, or both.
	metrics: T.Object({
		enabled: Bool,
		port: T.Optional(Int(1, 65535)),
		token: T.Optional(T.String({ minLength: 16 })),
	}),
	// Many gateways as one fleet (docs/operations.md, Scaling): node id in Redis, processes sharing one port.
	fleet: T.Object({
		nodeId: T.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }),
		processes: Int(1, 256),
		// set by the supervisor (processes.ts) on the processes it starts; unset = this is the supervisor or the only process
		workerIndex: T.Optional(Int(0, 255)),
		// how long a dropped toy's conversation context waits for it to reconnect, on any node
		resumeWindowMs: Int(1000, 600_000),
	}),
	// AI provider: which OpenAI API, and how long a child may wait before the gateway steps in.
	ai: T.Object({
		mode: T.Union([T.Literal('pipeline'), T.Literal('realtime')]),
		realtimeVad: T.Union([T.Literal('gateway'), T.Literal('server')]),
		firstAudioTimeoutMs: Int(200, 30_000),
		upstreamTimeoutMs: Int(1000, 120_000),
		retries: Int(0, 5),
		circuitFailures: Int(1, 100),
		circuitCooldownMs: Int(1000, 3_600_000),
		// the bench's fake provider (TEDDY_PROVIDER=fake): 24 kHz PCM, or the speech API's 20 ms Ogg Opus
		fakeFormat: T.Union([T.Literal('pcm'), T.Literal('opus20')]),
		// ! Benchmarks only (bench/fleet): a fixed-latency provider that answers with a synthetic tone.
		provider: T.Optional(T.Literal('fake')),
		fakeLatencyMs: Int(0, 60_000),
		fakeAnswerMs: Int(60, 600_000),
	}),
	// Child safety defaults; a family's own settings override them (docs/safety.md).
	safety: T.Object({
		smtpUrl: T.Optional(T.String({ pattern: '^smtps?://' })),
		smtpFrom: T.String({ minLength: 3 }),
		alertEmail: T.Optional(T.String({ pattern: '^[^@\\s]+@[^@\\s]+$' })),
		moderation: T.Union([T.Literal('auto'), T.Literal('openai'), T.Literal('local')]),
		moderationModel: T.String({ minLength: 1 }),
		// small chat model (Structured Outputs) judging each answer sentence for persona claims, secrets, personal data, meetings, other apps
		policyModel: T.String({ minLength: 1 }),
		timezone: T.String({ minLength: 1 }),
		quietHours: T.Optional(T.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-3]):[0-5]\\d$' })),
		dailyTokenBudget: Int(0, 1_000_000_000),
		dailyLimitMinutes: Int(0, 1440),
		// ? At most 180: California SB 243 and New York GBL Art. 47 ask for a reminder at least every 3 hours.
		playReminderMinutes: Int(1, 180),
		// toy tools (xiaozhi MCP / IoT) the model may call unless a family chose otherwise
		deviceToolsAllowed: T.Array(T.String({ pattern: '^[A-Za-z0-9_.-]{1,64}\\*?$' })),
		// ? The crisis reply names this country's helpline when a child's profile has no country; unset: no number.
		defaultCountry: T.Optional(T.String({ pattern: '^[A-Z]{2}$' })),
	}),
	// Device lifecycle (issue 15): config served to toys, the seed claim, the signed firmware channel.
	lifecycle: T.Object({
		// where firmware images are kept; unset = DATA_DIR/firmware
		firmwareDir: T.Optional(T.String({ minLength: 1 })),
		// Ed25519 release public keys (32 bytes, hex or base64) an uploaded image's signature must verify under
		firmwarePublicKeys: T.Array(T.String({ pattern: '^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$' })),
		firmwareMaxBytes: Int(1024, 64 << 20),
		// salt of the seed firmware's out-of-band claim secret; unset = derived from the fleet secret
		deviceClaimSalt: T.Optional(T.String({ pattern: '^[A-Za-z0-9._-]{8,64}$' })),
		ntpServers: T.Array(T.String({ pattern: '^[A-Za-z0-9.-]{1,253}$' }), { minItems: 1, maxItems: 4 }),
		// a rollout pauses itself when this share of the toys that took it rolled back or went quiet
		rolloutFailureShare: T.Number({ minimum: 0.01, maximum: 1 }),
		// ... counted only once this many toys took it
		rolloutMinDevices: Int(1, 1_000_000),
		// a toy that took a release and has not checked in for this long counts as gone quiet
		rolloutSilentHours: Int(1, 24 * 90),
	}),
	// Parent accounts (modules/accounts): sessions, lockout, where mailed links point.
	accounts: T.Object({
		// HMAC key material for parent access JWTs, the email blind index and audit pseudonyms; unset = generated into DATA_DIR
		authSecret: T.Optional(T.String({ minLength: 32 })),
		// the parent app; links in account mails point under it
		publicAppUrl: T.String({ pattern: '^https?://[^\\s]+$' }),
		accessTokenTtlSeconds: Int(60, 3600),
		refreshTokenTtlDays: Int(1, 365),
		lockoutAccountFailures: Int(1, 1000),
		lockoutIpFailures: Int(1, 100_000),
		lockoutMinutes: Int(1, 1440),
	}),
	// What is kept about children and for how long (docs/privacy.md).
	privacy: T.Object({
		// transcripts and alert excerpts, unless a family chose otherwise
		retentionDays: Int(1, 365),
		auditRetentionDays: Int(30, 3650),
		maintenanceIntervalMinutes: Int(1, 1440),
	}),
	// What parents are shown a day of talk cost (an estimate: tokens are estimated, docs/safety.md).
	pricing: T.Object({
		usdPerMillionTokensIn: T.Number({ minimum: 0, maximum: 10_000 }),
		usdPerMillionTokensOut: T.Number({ minimum: 0, maximum: 10_000 }),
		usdPerAudioMinuteIn: T.Number({ minimum: 0, maximum: 100 }),
		usdPerAudioMinuteOut: T.Number({ minimum: 0, maximum: 100 }),
	}),
})

export type Config = Static<typeof ConfigSchema>

type Env = Record<string, string | undefined>

// Where each config field comes from, so an error names the variable the operator must fix.
const envName: Record<string, string> = {
	'/port': 'PORT',
	'/host': 'HOST',
	'/dataDir': 'DATA_DIR',
	'/databaseUrl': 'DATABASE_URL',
	'/redisUrl': 'REDIS_URL',
	'/redisKeyPrefix': 'REDIS_KEY_PREFIX',
	'/openaiApiKey': 'OPENAI_API_KEY',
	'/openaiBaseUrl': 'OPENAI_BASE_URL',
	'/esp32SharedSecret': 'ESP32_SHARED_SECRET',
	'/encryptionKey': 'ENCRYPTION_KEY',
	'/encryptionKeysOld': 'ENCRYPTION_KEYS_OLD',
	'/allowLegacyTokens': 'ALLOW_LEGACY_TOKENS',
	'/requirePairing': 'REQUIRE_PAIRING',
	'/publicWsUrl': 'PUBLIC_WS_URL',
	'/sentryDsn': 'SENTRY_DSN',
	'/otaRequireDeviceAuth': 'OTA_REQUIRE_DEVICE_AUTH',
	'/deviceJwtTtlSeconds': 'DEVICE_JWT_TTL_SECONDS',
	'/revocationCheckSeconds': 'REVOCATION_CHECK_SECONDS',
	'/codec': 'TEDDY_CODEC',
	'/trustedProxies': 'TRUSTED_PROXIES',
	'/allowedOrigins': 'ALLOWED_ORIGINS',
	'/nodeEnv': 'NODE_ENV',
	'/logLevel': 'LOG_LEVEL',
	'/espeakBinary': 'ESPEAK_NG_BIN',
	'/limits/textFrameBytes': 'MAX_TEXT_FRAME_BYTES',
	'/limits/binaryFrameBytes': 'MAX_BINARY_FRAME_BYTES',
	'/limits/turnMaxMs': 'TURN_MAX_MS',
	'/limits/helloTimeoutMs': 'HELLO_TIMEOUT_MS',
	'/limits/idleTimeoutMs': 'IDLE_TIMEOUT_MS',
	'/limits/tokenWindowSeconds': 'TOKEN_WINDOW_SECONDS',
	'/limits/nonceTtlSeconds': 'NONCE_TTL_SECONDS',
	'/limits/connectionsPerIpPerMinute': 'CONNECTIONS_PER_IP_PER_MINUTE',
	'/limits/turnsPerDevicePerMinute': 'TURNS_PER_DEVICE_PER_MINUTE',
	'/limits/sendBufferBytes': 'SEND_BUFFER_BYTES',
	'/limits/pairClaimsPerIpPer10Min': 'PAIR_CLAIMS_PER_IP_PER_10_MIN',
	'/limits/writeBacklogMax': 'WRITE_BACKLOG_MAX',
	'/limits/restRequestsPerIpPerMinute': 'REST_REQUESTS_PER_IP_PER_MINUTE',
	'/limits/deviceRequestsPerIpPerMinute': 'DEVICE_REQUESTS_PER_IP_PER_MINUTE',
	'/limits/parentRequestsPerIpPerMinute': 'PARENT_REQUESTS_PER_IP_PER_MINUTE',
	'/limits/tokensPerDevicePerMinute': 'TOKENS_PER_DEVICE_PER_MINUTE',
	'/limits/deviceRegistrationsPerMinute': 'DEVICE_REGISTRATIONS_PER_MINUTE',
	'/limits/requestBodyBytes': 'MAX_REQUEST_BODY_BYTES',
	'/limits/shedTurnsAtLateMs': 'ADMISSION_SHED_TURNS_MS',
	'/limits/refuseConnectionsAtLateMs': 'ADMISSION_REFUSE_CONNECTIONS_MS',
	'/shutdownGraceMs': 'SHUTDOWN_GRACE_MS',
	'/metrics/enabled': 'METRICS',
	'/metrics/port': 'METRICS_PORT',
	'/metrics/token': 'METRICS_TOKEN',
	'/fleet/nodeId': 'NODE_ID',
	'/fleet/processes': 'GATEWAY_PROCESSES',
	'/fleet/workerIndex': 'TEDDY_WORKER_INDEX',
	'/fleet/resumeWindowMs': 'RESUME_WINDOW_MS',
	'/ai/mode': 'OPENAI_MODE',
	'/ai/realtimeVad': 'OPENAI_REALTIME_VAD',
	'/ai/firstAudioTimeoutMs': 'FIRST_AUDIO_TIMEOUT_MS',
	'/ai/upstreamTimeoutMs': 'AI_UPSTREAM_TIMEOUT_MS',
	'/ai/retries': 'AI_RETRIES',
	'/ai/circuitFailures': 'AI_CIRCUIT_FAILURES',
	'/ai/circuitCooldownMs': 'AI_CIRCUIT_COOLDOWN_MS',
	'/ai/fakeFormat': 'FAKE_PROVIDER_FORMAT',
	'/ai/provider': 'TEDDY_PROVIDER',
	'/ai/fakeLatencyMs': 'FAKE_PROVIDER_LATENCY_MS',
	'/ai/fakeAnswerMs': 'FAKE_PROVIDER_ANSWER_MS',
	'/safety/smtpUrl': 'SMTP_URL',
	'/safety/smtpFrom': 'SMTP_FROM',
	'/safety/alertEmail': 'SAFETY_ALERT_EMAIL',
	'/safety/moderation': 'MODERATION',
	'/safety/moderationModel': 'MODERATION_MODEL',
	'/safety/policyModel': 'POLICY_MODEL',
	'/safety/timezone': 'TIMEZONE',
	'/safety/quietHours': 'QUIET_HOURS',
	'/safety/dailyTokenBudget': 'DAILY_TOKEN_BUDGET',
	'/safety/dailyLimitMinutes': 'DAILY_LIMIT_MINUTES',
	'/safety/playReminderMinutes': 'PLAY_TIME_REMINDER_MINUTES',
	'/safety/deviceToolsAllowed': 'DEVICE_TOOLS_ALLOWED',
	'/safety/defaultCountry': 'DEFAULT_COUNTRY',
	'/lifecycle/firmwareDir': 'FIRMWARE_DIR',
	'/lifecycle/firmwarePublicKeys': 'FIRMWARE_PUBLIC_KEYS',
	'/lifecycle/firmwareMaxBytes': 'FIRMWARE_MAX_BYTES',
	'/lifecycle/deviceClaimSalt': 'DEVICE_CLAIM_SALT',
	'/lifecycle/ntpServers': 'NTP_SERVERS',
	'/lifecycle/rolloutFailureShare': 'ROLLOUT_FAILURE_SHARE',
	'/lifecycle/rolloutMinDevices': 'ROLLOUT_MIN_DEVICES',
	'/lifecycle/rolloutSilentHours': 'ROLLOUT_SILENT_HOURS',
	'/accounts/authSecret': 'AUTH_SECRET',
	'/accounts/publicAppUrl': 'PUBLIC_APP_URL',
	'/accounts/accessTokenTtlSeconds': 'ACCESS_TOKEN_TTL_SECONDS',
	'/accounts/refreshTokenTtlDays': 'REFRESH_TOKEN_TTL_DAYS',
	'/accounts/lockoutAccountFailures': 'LOCKOUT_ACCOUNT_FAILURES',
	'/accounts/lockoutIpFailures': 'LOCKOUT_IP_FAILURES',
	'/accounts/lockoutMinutes': 'LOCKOUT_MINUTES',
	'/privacy/retentionDays': 'RETENTION_DAYS',
	'/privacy/auditRetentionDays': 'AUDIT_RETENTION_DAYS',
	'/privacy/maintenanceIntervalMinutes': 'MAINTENANCE_INTERVAL_MINUTES',
	'/pricing/usdPerMillionTokensIn': 'COST_USD_PER_MILLION_TOKENS_IN',
	'/pricing/usdPerMillionTokensOut': 'COST_USD_PER_MILLION_TOKENS_OUT',
	'/pricing/usdPerAudioMinuteIn': 'COST_USD_PER_AUDIO_MINUTE_IN',
	'/pricing/usdPerAudioMinuteOut': 'COST_USD_PER_AUDIO_MINUTE_OUT',
}

/** Every environment variable the gateway reads (deploy/ manifests are checked against it). */
export const ENV_NAMES: readonly string[] = Object.values(envName)

export class ConfigError extends Error {
	constructor(readonly problems: string[]) {
		super(`Invalid configuration:\n  ${problems.join('\n  ')}`)
		this.name = 'ConfigError'
	}
}

const SECRET_VARS = new Set(['ESP32_SHARED_SECRET', 'ENCRYPTION_KEY', 'ENCRYPTION_KEYS_OLD', 'OPENAI_API_KEY', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'AUTH_SECRET', 'METRICS_TOKEN', 'SENTRY_DSN'])

const TRUE = new Set(['true', '1', 'yes', 'on'])
const FALSE = new Set(['false', '0', 'no', 'off'])

function bool(value: string | undefined, fallback: boolean): boolean | string {
	if (value === undefined || value === '') return fallback
	const v = value.toLowerCase()
	if (TRUE.has(v)) return true
	if (FALSE.has(v)) return false
	return value // left as a string so the schema reports it
}

function num(value: string | undefined, fallback: number): number | string {
	if (value === undefined || value === '') return fallback
	return /^-?\d+$/.test(value.trim()) ? Number(value) : value
}

// ? Volume, screen and status only: nothing that sees, hears, moves or restarts the toy.
const DEFAULT_DEVICE_TOOLS = [
	'self.get_device_status',
	'self.audio_speaker.set_volume',
	'self.screen.set_brightness',
	'self.screen.set_theme',
	'iot.Speaker.*',
	'iot.Screen.*',
	'iot.get_states',
]

function list(value: string | undefined, fallback: string[]): string[] {
	if (value === undefined) return fallback
	return value
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean)
}

function dec(value: string | undefined, fallback: number): number | string {
	if (value === undefined || value === '') return fallback
	return /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value
}

const blank = (v: string | undefined) => (v === undefined || v === '' ? undefined : v)

// An address or a CIDR block, IPv4 or IPv6 ("10.0.0.0/8", "::1", "fd00::/8").
function validCidr(text: string): boolean {
	const [address, bits, ...rest] = text.split('/')
	const family = isIP(address ?? '')
	if (rest.length > 0 || family === 0) return false
	if (bits === undefined) return true
	return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)
}

/** This process's environment with `overrides`: what the GATEWAY_PROCESSES supervisor gives each process. */
export function workerEnv(overrides: Env): Env {
	return { ...process.env, ...overrides }
}

export function loadConfig(env: Env = process.env): Config {
	const production = env.NODE_ENV === 'production'
	const raw = {
		port: num(env.PORT, 8000),
		host: env.HOST || '0.0.0.0',
		dataDir: env.DATA_DIR || './data',
		databaseUrl: blank(env.DATABASE_URL),
		redisUrl: blank(env.REDIS_URL),
		redisKeyPrefix: env.REDIS_KEY_PREFIX ?? '',
		openaiApiKey: blank(env.OPENAI_API_KEY),
		openaiBaseUrl: blank(env.OPENAI_BASE_URL),
		esp32SharedSecret: blank(env.ESP32_SHARED_SECRET),
		encryptionKey: blank(env.ENCRYPTION_KEY),
		encryptionKeysOld: blank(env.ENCRYPTION_KEYS_OLD),
		allowLegacyTokens: bool(env.ALLOW_LEGACY_TOKENS, !production),
		requirePairing: bool(env.REQUIRE_PAIRING, production),
		publicWsUrl: blank(env.PUBLIC_WS_URL),
		sentryDsn: blank(env.SENTRY_DSN),
		otaRequireDeviceAuth: bool(env.OTA_REQUIRE_DEVICE_AUTH, production),
		deviceJwtTtlSeconds: num(env.DEVICE_JWT_TTL_SECONDS, 30 * 24 * 3600),
		revocationCheckSeconds: num(env.REVOCATION_CHECK_SECONDS, 15),
		codec: blank(env.TEDDY_CODEC),
		trustedProxies: list(env.TRUSTED_PROXIES, []),
		// ? Permissive only where nothing is configured for production: the embedded default
		allowedOrigins: list(env.ALLOWED_ORIGINS, production ? [] : ['*']),
		nodeEnv: env.NODE_ENV || 'development',
		logLevel: env.LOG_LEVEL || 'info',
		espeakBinary: env.ESPEAK_NG_BIN || 'espeak-ng',
		limits: {
			textFrameBytes: num(env.MAX_TEXT_FRAME_BYTES, 16 * 1024),
			binaryFrameBytes: num(env.MAX_BINARY_FRAME_BYTES, 4 * 1024),
			turnMaxMs: num(env.TURN_MAX_MS, 30_000),
			helloTimeoutMs: num(env.HELLO_TIMEOUT_MS, 10_000),
			idleTimeoutMs: num(env.IDLE_TIMEOUT_MS, 120_000),
			tokenWindowSeconds: num(env.TOKEN_WINDOW_SECONDS, 120),
			nonceTtlSeconds: num(env.NONCE_TTL_SECONDS, 600),
			connectionsPerIpPerMinute: num(env.CONNECTIONS_PER_IP_PER_MINUTE, 600),
			turnsPerDevicePerMinute: num(env.TURNS_PER_DEVICE_PER_MINUTE, 20),
			sendBufferBytes: num(env.SEND_BUFFER_BYTES, 256 * 1024),
			pairClaimsPerIpPer10Min: num(env.PAIR_CLAIMS_PER_IP_PER_10_MIN, 20),
			writeBacklogMax: num(env.WRITE_BACKLOG_MAX, 100_000),
			restRequestsPerIpPerMinute: num(env.REST_REQUESTS_PER_IP_PER_MINUTE, 600),
			deviceRequestsPerIpPerMinute: num(env.DEVICE_REQUESTS_PER_IP_PER_MINUTE, 300),
			parentRequestsPerIpPerMinute: num(env.PARENT_REQUESTS_PER_IP_PER_MINUTE, 60),
			tokensPerDevicePerMinute: num(env.TOKENS_PER_DEVICE_PER_MINUTE, 30),
			deviceRegistrationsPerMinute: num(env.DEVICE_REGISTRATIONS_PER_MINUTE, 1000),
			requestBodyBytes: num(env.MAX_REQUEST_BODY_BYTES, 64 * 1024),
			// ? Provisional: a 60 ms frame is inaudibly late under ~40 ms; the fleet bench is to measure
			//   where jitter starts on real hardware (issue 17 item 6).
			shedTurnsAtLateMs: num(env.ADMISSION_SHED_TURNS_MS, 40),
			refuseConnectionsAtLateMs: num(env.ADMISSION_REFUSE_CONNECTIONS_MS, 120),
		},
		shutdownGraceMs: num(env.SHUTDOWN_GRACE_MS, 8_000),
		metrics: {
			enabled: bool(env.METRICS, true),
			port: blank(env.METRICS_PORT) === undefined ? undefined : num(env.METRICS_PORT, 0),
			token: blank(env.METRICS_TOKEN),
		},
		fleet: {
			// ? Unique per process: the hostname (a pod's name) plus the pid (several processes per machine).
			nodeId: env.NODE_ID || `${hostname()}-${process.pid}`,
			processes: num(env.GATEWAY_PROCESSES, 1),
			workerIndex: blank(env.TEDDY_WORKER_INDEX) === undefined ? undefined : num(env.TEDDY_WORKER_INDEX, 0),
			resumeWindowMs: num(env.RESUME_WINDOW_MS, 30_000),
		},
		ai: {
			mode: env.OPENAI_MODE || 'pipeline',
			realtimeVad: env.OPENAI_REALTIME_VAD || 'gateway',
			firstAudioTimeoutMs: num(env.FIRST_AUDIO_TIMEOUT_MS, 2500),
			upstreamTimeoutMs: num(env.AI_UPSTREAM_TIMEOUT_MS, 10_000),
			retries: num(env.AI_RETRIES, 2),
			circuitFailures: num(env.AI_CIRCUIT_FAILURES, 3),
			circuitCooldownMs: num(env.AI_CIRCUIT_COOLDOWN_MS, 15_000),
			fakeFormat: env.FAKE_PROVIDER_FORMAT || 'pcm',
			provider: blank(env.TEDDY_PROVIDER),
			fakeLatencyMs: num(env.FAKE_PROVIDER_LATENCY_MS, 200),
			fakeAnswerMs: num(env.FAKE_PROVIDER_ANSWER_MS, 2000),
		},
		safety: {
			smtpUrl: blank(env.SMTP_URL),
			smtpFrom: env.SMTP_FROM || 'Teddy <teddy@localhost>',
			alertEmail: blank(env.SAFETY_ALERT_EMAIL),
			moderation: env.MODERATION || 'auto',
			moderationModel: env.MODERATION_MODEL || 'omni-moderation-latest',
			policyModel: env.POLICY_MODEL || 'gpt-4o-mini',
			timezone: env.TIMEZONE || 'UTC',
			quietHours: blank(env.QUIET_HOURS),
			dailyTokenBudget: num(env.DAILY_TOKEN_BUDGET, 200_000),
			dailyLimitMinutes: num(env.DAILY_LIMIT_MINUTES, 0),
			playReminderMinutes: num(env.PLAY_TIME_REMINDER_MINUTES, 180),
			deviceToolsAllowed: list(env.DEVICE_TOOLS_ALLOWED, DEFAULT_DEVICE_TOOLS),
			defaultCountry: blank(env.DEFAULT_COUNTRY)?.toUpperCase(),
		},
		lifecycle: {
			firmwareDir: blank(env.FIRMWARE_DIR),
			firmwarePublicKeys: list(env.FIRMWARE_PUBLIC_KEYS, []),
			firmwareMaxBytes: num(env.FIRMWARE_MAX_BYTES, 16 << 20),
			deviceClaimSalt: blank(env.DEVICE_CLAIM_SALT),
			ntpServers: list(env.NTP_SERVERS, ['pool.ntp.org', 'time.google.com']),
			rolloutFailureShare: dec(env.ROLLOUT_FAILURE_SHARE, 0.2),
			rolloutMinDevices: num(env.ROLLOUT_MIN_DEVICES, 5),
			rolloutSilentHours: num(env.ROLLOUT_SILENT_HOURS, 48),
		},
		accounts: {
			authSecret: blank(env.AUTH_SECRET),
			publicAppUrl: (env.PUBLIC_APP_URL || `http://localhost:${env.PORT || 8000}/app`).replace(/\/+$/, ''),
			accessTokenTtlSeconds: num(env.ACCESS_TOKEN_TTL_SECONDS, 900),
			refreshTokenTtlDays: num(env.REFRESH_TOKEN_TTL_DAYS, 30),
			lockoutAccountFailures: num(env.LOCKOUT_ACCOUNT_FAILURES, 5),
			lockoutIpFailures: num(env.LOCKOUT_IP_FAILURES, 20),
			lockoutMinutes: num(env.LOCKOUT_MINUTES, 15),
		},
		privacy: {
			retentionDays: num(env.RETENTION_DAYS, 30),
			auditRetentionDays: num(env.AUDIT_RETENTION_DAYS, 365),
			maintenanceIntervalMinutes: num(env.MAINTENANCE_INTERVAL_MINUTES, 60),
		},
		// ? Defaults: gpt-4o-mini chat, gpt-4o-mini-transcribe and gpt-4o-mini-tts list prices (2025).
		pricing: {
			usdPerMillionTokensIn: dec(env.COST_USD_PER_MILLION_TOKENS_IN, 0.15),
			usdPerMillionTokensOut: dec(env.COST_USD_PER_MILLION_TOKENS_OUT, 0.6),
			usdPerAudioMinuteIn: dec(env.COST_USD_PER_AUDIO_MINUTE_IN, 0.003),
			usdPerAudioMinuteOut: dec(env.COST_USD_PER_AUDIO_MINUTE_OUT, 0.015),
		},
	}
	const problems = [...Value.Errors(ConfigSchema, raw)].map((e) => {
		// ? A list's element reports its index (/safety/deviceToolsAllowed/2): name the list's variable.
		const name = envName[e.path] ?? envName[e.path.replace(/\/\d+$/, '')] ?? e.path
		// ! Secrets and URLs (which may hold passwords) are never echoed into logs.
		const shown = SECRET_VARS.has(name) ? '[redacted]' : JSON.stringify(e.value)
		return `${name}: ${e.message} (got ${shown})`
	})
	if (production) {
		if (!raw.esp32SharedSecret) problems.push('ESP32_SHARED_SECRET: required when NODE_ENV=production')
		if (!raw.encryptionKey) problems.push('ENCRYPTION_KEY: required when NODE_ENV=production')
		// ! Without them a replica runs on embedded PGlite and a per-process nonce cache: data stays
		// on one pod and a token replays on every other replica.
		if (!raw.databaseUrl) problems.push('DATABASE_URL: required when NODE_ENV=production (PostgreSQL shared by the replicas)')
		if (!raw.redisUrl) problems.push('REDIS_URL: required when NODE_ENV=production (Redis for replay nonces and rate limits)')
		if (raw.ai.provider === 'fake') problems.push('TEDDY_PROVIDER: "fake" is a benchmark stand-in and is refused when NODE_ENV=production')
		if (!raw.accounts.authSecret) problems.push('AUTH_SECRET: required when NODE_ENV=production (openssl rand -hex 32)')
	}
	for (const proxy of raw.trustedProxies) {
		if (!validCidr(proxy)) problems.push(`TRUSTED_PROXIES: not an IP address or CIDR block (got ${JSON.stringify(proxy)})`)
	}
	if (!validTimeZone(raw.safety.timezone)) problems.push(`TIMEZONE: not an IANA time zone (got ${JSON.stringify(raw.safety.timezone)})`)
	if (problems.length > 0) throw new ConfigError(problems)
	return raw as Config
}

function validTimeZone(zone: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone: zone })
		return true
	} catch {
		return false
	}
}
