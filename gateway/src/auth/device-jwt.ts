import { createHmac, randomUUID } from 'node:crypto'
import { errors, jwtVerify, SignJWT } from 'jose'

// Device JWTs (PROTOCOL.md §1): what the xiaozhi OTA check-in hands a toy for its WebSocket, so stock
// firmware that cannot make v2 tokens still gets a credential bound to its device id. HS256 with a
// key derived from the fleet secret, so no new secret has to be provisioned; revoked by bumping the
// device's token generation (sql/0002), which the `gen` claim must match.

export const DEFAULT_JWT_TTL_SECONDS = 30 * 24 * 3600

export interface TokenGenerations {
	/** The device's current token generation; null if the device is unknown or revoked. */
	tokenGeneration(deviceId: string): Promise<number | null>
}

export type JwtVerdict = 'ok' | 'bad' | 'expired' | 'revoked'

export interface IssuedJwt {
	token: string
	expiresIn: number
}

interface DeviceClaims {
	typ?: unknown
	gen?: unknown
}

const isJwtShaped = (token: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(token)

export class DeviceJwt {
	private readonly key: Uint8Array

	constructor(
		secret: string,
		private readonly generations: TokenGenerations,
		private readonly ttlSeconds = DEFAULT_JWT_TTL_SECONDS,
		private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
	) {
		// ? A derived key, not the secret itself: a JWT key can never double as a device-key or legacy-token key.
		this.key = new Uint8Array(createHmac('sha256', secret).update('teddy-device-jwt').digest())
	}

	async issue(deviceId: string, generation: number): Promise<IssuedJwt> {
		const now = this.nowSeconds()
		const token = await new SignJWT({ typ: 'device', gen: generation })
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setSubject(deviceId)
			.setIssuedAt(now)
			.setExpirationTime(now + this.ttlSeconds)
			.setJti(randomUUID())
			.sign(this.key)
		return { token, expiresIn: this.ttlSeconds }
	}

	/** Checks signature, expiry, that the token names `deviceId`, and that it was not revoked since. */
	async verify(deviceId: string, token: string): Promise<JwtVerdict> {
		if (!isJwtShaped(token)) return 'bad'
		let claims: DeviceClaims
		try {
			const result = await jwtVerify(token, this.key, {
				// ! Pinned: the algorithm in the token's header is attacker-chosen.
				algorithms: ['HS256'],
				subject: deviceId,
				requiredClaims: ['sub', 'iat', 'exp', 'jti'],
				currentDate: new Date(this.nowSeconds() * 1000),
			})
			claims = result.payload as DeviceClaims
		} catch (err) {
			return err instanceof errors.JWTExpired ? 'expired' : 'bad'
		}
		if (claims.typ !== 'device' || !Number.isInteger(claims.gen)) return 'bad'
		// Only a genuine, unexpired token for this device costs a database read.
		const current = await this.generations.tokenGeneration(deviceId)
		return current !== null && current === claims.gen ? 'ok' : 'revoked'
	}
}
