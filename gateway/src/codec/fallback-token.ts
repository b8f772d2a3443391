import { createHmac, timingSafeEqual } from 'node:crypto'
import type { TokenVerifier, VerifiedToken } from './types'

// TypeScript twin of native/core/src/token.rs: same forms, same answers (test/vectors/auth.json).

const LEGACY = /^[0-9a-f]{64}$/
const V2 = /^v2\.(\d{1,12})\.([0-9a-f]{16,32})\.([0-9a-f]{64})$/

function hmac(key: string | Buffer, msg: string): Buffer {
	return createHmac('sha256', key).update(msg).digest()
}

function sameHex(expected: Buffer, hex: string): boolean {
	// hex is already known to be 64 lowercase hex chars, so the decode is total and constant-size.
	return timingSafeEqual(expected, Buffer.from(hex, 'hex'))
}

export class FallbackTokenVerifier implements TokenVerifier {
	constructor(private readonly secret: string) {}

	verify(deviceId: string, token: string): VerifiedToken | null {
		if (deviceId.length === 0) return null
		if (LEGACY.test(token)) {
			return sameHex(hmac(this.secret, deviceId), token) ? { kind: 'legacy' } : null
		}
		const m = V2.exec(token)
		if (!m) return null
		const [, ts, nonce, sig] = m
		const deviceKey = hmac(this.secret, `teddy-device-key|${deviceId}`)
		const expected = hmac(deviceKey, `v2|${deviceId}|${ts}|${nonce}`)
		return sameHex(expected, sig) ? { kind: 'v2', ts: Number(ts), nonce } : null
	}
}
