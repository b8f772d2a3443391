import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { NonceClaimer } from '../../auth/device-auth'
import type { DeviceJwt } from '../../auth/device-jwt'
import { GatewayError } from '../../errors'
import type { Logger } from '../../obs/logger'
import type { DeviceRepository, PairingRepository } from '../../store'
import type { DeviceClaimedBody, DeviceClaimRequest } from './model'

// The seed firmware's claim (issue 15): at boot, after GET /api/v1/esp32/config (which names the
// salt) and NTP, the toy posts its id, its out-of-band secret, a nonce, the time and an HMAC under
// its device key, and gets a device JWT for its WebSocket. Everything is compared in constant
// time; the nonce is spent only once the HMAC checks out, so forged claims cannot burn nonces.

export interface DeviceClaimDeps {
	devices: DeviceRepository
	pairing: PairingRepository
	jwt: DeviceJwt
	nonces: NonceClaimer
	/** Fleet secret: device keys derive from it (PROTOCOL.md §1). */
	secret: string
	claimSalt: string
	tokenWindowSeconds: number
	nonceTtlSeconds: number
	log: Logger
}

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex')

/** `SHA256(device_id:salt)` → hex → `SHA256(hex + salt)` → upper case (the seed's box-printed secret). */
export function oobSecret(deviceId: string, salt: string): string {
	return sha256Hex(sha256Hex(`${deviceId}:${salt}`) + salt).toUpperCase()
}

export function deviceKey(secret: string, deviceId: string): Buffer {
	return createHmac('sha256', secret).update(`teddy-device-key|${deviceId}`).digest()
}

export function claimHmac(key: Uint8Array, c: Pick<DeviceClaimRequest, 'device_id' | 'timestamp' | 'nonce' | 'oob_secret'>): string {
	return createHmac('sha256', key).update(`claim|${c.device_id}|${c.timestamp}|${c.nonce}|${c.oob_secret}`).digest('hex')
}

const sameHex = (a: string, b: string) => {
	const x = Buffer.from(a.toLowerCase())
	const y = Buffer.from(b.toLowerCase())
	return x.length === y.length && timingSafeEqual(x, y)
}

export async function claimDevice(deps: DeviceClaimDeps, body: DeviceClaimRequest, nowSeconds = Math.floor(Date.now() / 1000)): Promise<DeviceClaimedBody> {
	const refuse = (why: string) => {
		deps.log.warn({ device: body.device_id, why }, 'device claim refused')
		return new GatewayError('UNAUTHORIZED', 'the device claim is not valid')
	}
	// ? Both checks always run, so the answer's timing does not say which part was wrong.
	const oobOk = sameHex(body.oob_secret, oobSecret(body.device_id, deps.claimSalt))
	const hmacOk = sameHex(body.hmac, claimHmac(deviceKey(deps.secret, body.device_id), body))
	if (!(oobOk && hmacOk)) throw refuse(oobOk ? 'hmac' : 'oob secret')
	if (Math.abs(nowSeconds - body.timestamp) > deps.tokenWindowSeconds) {
		throw new GatewayError('UNAUTHORIZED', 'the claim timestamp is outside the accepted window; set the clock (NTP) first')
	}
	if (!(await deps.nonces.claim(`claim|${body.device_id}`, body.nonce, deps.nonceTtlSeconds))) throw refuse('replayed nonce')
	const device = await deps.devices.upsertSeen(body.device_id)
	if (device.revokedAt) throw new GatewayError('FORBIDDEN', 'this toy has been revoked')
	// ! Rotate, then issue: the toy holds one live JWT, the newest (as the xiaozhi check-in does).
	const generation = await deps.pairing.rotateTokenGeneration(body.device_id)
	if (generation === null) throw new GatewayError('FORBIDDEN', 'this toy has been revoked')
	const issued = await deps.jwt.issue(body.device_id, generation)
	deps.log.info({ device: body.device_id }, 'device claimed its token')
	return { device_id: body.device_id, token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, paired: Boolean(device.pairedChildId) }
}
