import { createHash } from 'node:crypto'
import type { DeviceAuthenticator } from '../../auth/device-auth'
import type { DeviceRepository } from '../../store'
import type { ConfigOverrideRepository } from '../../store/config-overrides'
import type { FamilyRepository } from '../../store/families'
import { authenticateDevice, bearerOf, type Headers } from '../pairing/device-request'

// GET /api/v1/esp32/config (PROTOCOL.md §2): what a toy needs before it can talk — where to open
// its WebSocket, audio parameters, features, NTP servers, limits, the claim salt. Deterministic:
// the ETag is a hash of the canonical body without `server_time`, so a toy revalidates with
// If-None-Match and gets 304 until an operator changes something (a per-model or per-family
// override changes the body and so the ETag). `server_time` is only in a 200; on a 304 the HTTP
// `Date` header carries the time (docs/protocol.md).

export interface DeviceConfigDeps {
	auth: DeviceAuthenticator
	devices: DeviceRepository
	families: FamilyRepository
	overrides: ConfigOverrideRepository
	/** Built once from config at start: everything but the WebSocket URL and the overrides. */
	base: BaseConfig
	publicWsUrl?: string
	/** Notes the version an authenticated toy runs (the firmware channel's rollback detection). */
	reportVersion?: (deviceId: string, model: string, version: string) => Promise<void>
}

export interface BaseConfig {
	audio: Record<string, unknown>
	features: Record<string, unknown>
	ntp_servers: string[]
	limits: Record<string, unknown>
	claim: { path: string; salt: string }
	firmware: { path: string }
}

export const SEED_PATH = '/api/v1/esp32/private/chat'
export const BINARY_PATH = '/xiaozhi/v1/'

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/** Plain objects merge key by key; anything else (arrays, values) replaces. */
export function deepMerge(base: Record<string, Json>, over: Record<string, unknown>): Record<string, Json> {
	const out: Record<string, Json> = { ...base }
	for (const [k, v] of Object.entries(over)) {
		const b = out[k]
		out[k] =
			isObject(v) && isObject(b) ? deepMerge(b as Record<string, Json>, v) : (v as Json)
	}
	return out
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** JSON with keys sorted at every level: the same config is the same bytes, whatever built it. */
export function canonicalJson(v: unknown): string {
	if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
	if (isObject(v)) {
		return `{${Object.keys(v)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
			.join(',')}}`
	}
	return JSON.stringify(v)
}

export interface ConfigRequest {
	headers: Headers
	model?: string
	/** the firmware version the toy runs */
	version?: string
	protocol?: 'seed-json' | 'binary'
	/** ws(s)://host the toy reached us on */
	wsOrigin: string
}

export interface BuiltConfig {
	body: Record<string, Json>
	etag: string
}

/** The config for this toy, with its ETag (computed before `server_time` is added). */
export async function buildConfig(deps: DeviceConfigDeps, req: ConfigRequest): Promise<BuiltConfig> {
	let body = deps.base as unknown as Record<string, Json>
	if (req.model) {
		const o = await deps.overrides.get('model', req.model)
		if (o) body = deepMerge(body, o.settings)
	}
	// ? A family's override needs to know the toy's family: only a toy that authenticates gets it.
	if (bearerOf(req.headers)) {
		const { deviceId } = await authenticateDevice(deps.auth, req.headers)
		const device = await deps.devices.get(deviceId)
		// ? Only an authenticated toy's report counts: anyone could otherwise fake rollbacks and pause a rollout.
		if (device && req.model && req.version && deps.reportVersion) await deps.reportVersion(deviceId, req.model, req.version)
		const family = device?.pairedChildId ? await deps.families.ofChild(device.pairedChildId) : null
		const o = family ? await deps.overrides.get('family', family.id) : null
		if (o) body = deepMerge(body, o.settings)
	}
	const ws = isObject(body.websocket) ? body.websocket : {}
	const protocol = req.protocol ?? (ws.protocol === 'binary' ? 'binary' : 'seed-json')
	const path = protocol === 'binary' ? BINARY_PATH : SEED_PATH
	const origin = deps.publicWsUrl ? new URL(deps.publicWsUrl).origin.replace(/^http/, 'ws') : req.wsOrigin
	body = { ...body, websocket: { ...ws, protocol, path, url: `${origin}${path}` } }
	const etag = `"${createHash('sha256').update(canonicalJson(body)).digest('hex').slice(0, 32)}"`
	return { body, etag }
}

export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
	if (!ifNoneMatch) return false
	return ifNoneMatch.split(',').some((t) => {
		const v = t.trim()
		return v === '*' || v === etag || v === `W/${etag}`
	})
}

export interface BaseInput {
	requirePairing: boolean
	allowLegacyTokens: boolean
	otaEnabled: boolean
	ntpServers: string[]
	claimSalt: string
	limits: { textFrameBytes: number; binaryFrameBytes: number; turnMaxMs: number; idleTimeoutMs: number; helloTimeoutMs: number; tokenWindowSeconds: number }
}

/** The defaults every toy gets (built once at start); kept small: the toy's buffer holds 2 KiB. */
export function baseConfig(i: BaseInput): BaseConfig {
	return {
		audio: {
			input: { format: 'opus', formats: ['opus', 'pcm16'], sample_rate: 16000, channels: 1, frame_duration: 60 },
			output: { format: 'mp3', formats: ['opus', 'pcm16', 'mp3'], sample_rate: 22050 },
		},
		features: { mp3: true, text: true, vad: true, ota: i.otaEnabled, pairing_required: i.requirePairing, legacy_tokens: i.allowLegacyTokens },
		ntp_servers: i.ntpServers,
		limits: {
			text_frame_bytes: i.limits.textFrameBytes,
			binary_frame_bytes: i.limits.binaryFrameBytes,
			turn_max_ms: i.limits.turnMaxMs,
			idle_timeout_ms: i.limits.idleTimeoutMs,
			hello_timeout_ms: i.limits.helloTimeoutMs,
			token_window_seconds: i.limits.tokenWindowSeconds,
		},
		claim: { path: '/api/v1/pair/claim', salt: i.claimSalt },
		firmware: { path: '/api/v1/esp32/firmware' },
	}
}
