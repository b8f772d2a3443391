import type { DeviceJwt } from '../../auth/device-jwt'
import { GatewayError } from '../../errors'
import { utcOffsetMinutes } from '../../safety/policy'
import type { PairingRepository } from '../../store'
import { PAIRING_CODE_TTL_SECONDS } from '../pairing/service'
import { activationAnswer, checkActivationHmac } from './activation-hmac'
import { admitCheckIn, bearerKind, type ProofDeps, recogniseToy } from './device-proof'
import type { ActivateReplyBody, ActivateRequest, CheckIn, CheckInReplyBody, DeviceTokenBody } from './model'

export interface OtaDeps extends ProofDeps {
	jwt: DeviceJwt
	pairing: PairingRepository
	/** Fleet secret: device keys for the activation HMAC derive from it (PROTOCOL.md §1). */
	secret: string
	requirePairing: boolean
	/** OTA_REQUIRE_DEVICE_AUTH: without it a check-in proves the toy by its bound Client-Id alone. */
	requireDeviceAuth: boolean
	publicWsUrl?: string
	/** The gateway's TIMEZONE: a toy whose family set no zone shows this local time. */
	timezone: string
	/** The client address of a request (the socket's, from Bun.serve). */
	clientIp: (request: Request) => string
}

// The binary protocol version our gateway prefers (PROTOCOL.md §4: the project's firmware speaks 3).
const WS_PROTOCOL_VERSION = 3
// xiaozhi polls /activate with this as its budget; its own default is 30 s too.
const ACTIVATION_TIMEOUT_MS = 30_000

export interface DeviceRequest {
	deviceId: string
	clientId: string | null
	token: string | null
	ip: string
}

export interface CheckInRequest extends DeviceRequest {
	body: CheckIn | undefined
	wsUrl: string
}

export async function checkIn(deps: OtaDeps, req: CheckInRequest): Promise<CheckInReplyBody> {
	const bearer = await bearerKind(deps.auth, req.deviceId, req.token)
	if (!bearer && deps.requireDeviceAuth) {
		throw new GatewayError('UNAUTHORIZED', 'this gateway requires Authorization: Bearer <device token> on check-in')
	}
	const device = await admitCheckIn(deps, { ...req, bearer })
	const issued = await issueJwt(deps, req.deviceId)
	const reply: CheckInReplyBody = {
		server_time: { timestamp: Date.now(), timezone_offset: await localOffset(deps, device.pairedChildId) },
		// ? No firmware channel here yet: echo the toy's version with no URL, which xiaozhi treats as "up to date"
		firmware: { version: reportedVersion(req.body), url: '' },
		websocket: { url: req.wsUrl, token: issued.token, version: WS_PROTOCOL_VERSION },
	}
	if (!device.pairedChildId) {
		const code = await deps.pairing.issue(req.deviceId, PAIRING_CODE_TTL_SECONDS, true)
		// ! Stock firmware checks in again after every activation until a reply has no `activation`
		// (issue 11). With pairing optional the toy says each code once, activates, and goes on to its
		// WebSocket; the code stays claimable until it expires, and the next boot after that says a new one.
		if (deps.requirePairing || !code.acknowledgedAt) {
			reply.activation = {
				code: code.code,
				message: `Pairing code ${code.code.split('').join(' ')}. Ask a grown-up to enter it in the Teddy app.`,
				challenge: code.challenge,
				timeout_ms: ACTIVATION_TIMEOUT_MS,
			}
		}
	}
	return reply
}

export async function activate(
	deps: OtaDeps,
	req: DeviceRequest & { body: ActivateRequest | undefined },
): Promise<{ status: 200 | 202; body: ActivateReplyBody }> {
	const bearer = await bearerKind(deps.auth, req.deviceId, req.token)
	const device = await recogniseToy(deps, { ...req, bearer })
	const answer = activationAnswer(req.body)
	const live = await deps.pairing.live(req.deviceId)
	if (answer) {
		const verdict = await checkActivationHmac(deps, req.deviceId, answer, live)
		deps.log.info({ device: req.deviceId, hmac: verdict }, 'activation answer')
	}
	const paired = Boolean(device.pairedChildId)
	if (!paired && deps.requirePairing) {
		return { status: 202, body: { status: 'waiting', paired, message: 'waiting for a parent to enter the pairing code' } }
	}
	if (!paired && live) await deps.pairing.acknowledge(req.deviceId)
	const message = paired ? 'paired' : 'pairing is optional on this gateway; the code stays valid for a parent to claim'
	return { status: 200, body: { status: 'activated', paired, message } }
}

/** POST /api/v1/devices/token: a v2 token buys a device JWT. */
export async function exchangeToken(deps: OtaDeps, deviceId: string, token: string | null): Promise<DeviceTokenBody> {
	const result = await deps.auth.authenticate(deviceId, token)
	if (!result.ok) throw new GatewayError('UNAUTHORIZED', result.message)
	// ! Legacy tokens are static and a JWT refreshing itself would never die: only a fresh v2 token counts.
	if (result.kind !== 'v2') throw new GatewayError('UNAUTHORIZED', 'a v2 token is required to obtain a device JWT')
	const device = await deps.devices.upsertSeen(deviceId)
	if (device.revokedAt) throw new GatewayError('FORBIDDEN', 'this toy has been revoked')
	const issued = await issueJwt(deps, deviceId)
	return { token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn }
}

/** Where the toy should connect: PUBLIC_WS_URL, or the host it reached us on. */
export function websocketUrl(publicWsUrl: string | undefined, request: Request): string {
	if (publicWsUrl) return publicWsUrl
	const url = new URL(request.url)
	const host = request.headers.get('host') ?? url.host
	// a Host header is attacker-supplied text that ends up in our reply; fall back if it is not a host
	const safeHost = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : url.host
	const secure = url.protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https'
	return `${secure ? 'wss' : 'ws'}://${safeHost}/xiaozhi/v1/`
}

// ! Rotate, then issue: a toy holds one live JWT, the newest. Every token issued before (including
// one presented to get this one) stops working, so a stolen token cannot renew itself forever.
async function issueJwt(deps: OtaDeps, deviceId: string) {
	const generation = await deps.pairing.rotateTokenGeneration(deviceId)
	if (generation === null) throw new GatewayError('FORBIDDEN', 'this toy has been revoked')
	return deps.jwt.issue(deviceId, generation)
}

/** The toy shows local time: its family's zone when the parent set one, else the gateway's TIMEZONE. */
async function localOffset(deps: OtaDeps, pairedChildId: string | null): Promise<number> {
	const family = pairedChildId ? await deps.families.ofChild(pairedChildId) : null
	return utcOffsetMinutes(family?.timezone ?? deps.timezone, Date.now())
}

function reportedVersion(body: CheckIn | undefined): string {
	const v = body?.application?.version
	return typeof v === 'string' && v.length > 0 && v.length <= 32 ? v : '0.0.0'
}
