import type { TokenVerifier } from '../codec'
import { GatewayError } from '../errors'

// Token policy on top of the codec's HMAC check: which token kinds are allowed, how fresh a v2
// token must be, and that each v2 nonce is used once. PROTOCOL.md §1.

export interface NonceClaimer {
	/** True the first time (deviceId, nonce) is seen within ttl, false on a replay. */
	claim(deviceId: string, nonce: string, ttlSeconds: number): Promise<boolean>
}

/** Counts verified token uses per device (store/rate-limits.ts); an interface so auth needs no Redis. */
export interface TokenBudget {
	take(deviceId: string): Promise<{ allowed: boolean; retryAfterSeconds: number }>
}

/** Device JWTs (auth/device-jwt.ts); an interface so this file stays free of SQL and of jose. */
export interface JwtChecker {
	verify(deviceId: string, token: string): Promise<'ok' | 'bad' | 'expired' | 'revoked'>
}

export type AuthFailure =
	| 'missing'
	| 'bad_device_id'
	| 'bad_token'
	| 'legacy_disabled'
	| 'expired'
	| 'replayed'
	| 'jwt_expired'
	| 'revoked'

export type AuthKind = 'legacy' | 'v2' | 'jwt'

export type AuthResult = { ok: true; kind: AuthKind } | { ok: false; reason: AuthFailure; message: string }

export interface AuthPolicy {
	allowLegacyTokens: boolean
	tokenWindowSeconds: number
	nonceTtlSeconds: number
}

// JWTs are three base64url parts starting with `{"`; v2 tokens start with "v2." and legacy ones are hex.
const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/

// Device ids are MACs, serials or model-number strings; anything else is refused before any HMAC.
const DEVICE_ID = /^[A-Za-z0-9:_.-]{1,64}$/

const MESSAGES: Record<AuthFailure, string> = {
	missing: 'device_id and token are required',
	bad_device_id: 'device_id must be 1-64 characters of letters, digits, ":", "_", "." or "-"',
	bad_token: 'token is not valid for this device',
	legacy_disabled: 'legacy tokens are disabled on this gateway; use a v2 token',
	expired: 'token timestamp is outside the accepted window; check the device clock',
	replayed: 'token nonce was already used',
	jwt_expired: 'device token has expired; check in again (POST /xiaozhi/ota/) for a new one',
	revoked: 'device token was revoked (the toy was unpaired or revoked); check in again for a new one',
}

const fail = (reason: AuthFailure): AuthResult => ({ ok: false, reason, message: MESSAGES[reason] })

export class DeviceAuthenticator {
	constructor(
		private readonly verifier: TokenVerifier,
		private readonly nonces: NonceClaimer,
		private readonly policy: AuthPolicy,
		private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
		private readonly jwt?: JwtChecker,
		/** TOKENS_PER_DEVICE_PER_MINUTE; throws RATE_LIMITED past it. Unset = no per-device limit. */
		private readonly budget?: TokenBudget,
	) {}

	/** Refusals are results; a device over its token budget is thrown as RATE_LIMITED (429 / 4429). */
	async authenticate(deviceId: string | null | undefined, token: string | null | undefined): Promise<AuthResult> {
		if (!deviceId || !token) return fail('missing')
		if (!DEVICE_ID.test(deviceId)) return fail('bad_device_id')
		if (this.jwt && JWT_SHAPE.test(token)) return this.authenticateJwt(deviceId, token)
		const verified = this.verifier.verify(deviceId, token)
		if (!verified) return fail('bad_token')
		if (verified.kind === 'legacy') {
			if (!this.policy.allowLegacyTokens) return fail('legacy_disabled')
			await this.spend(deviceId)
			return { ok: true, kind: 'legacy' }
		}
		if (Math.abs(this.nowSeconds() - verified.ts) > this.policy.tokenWindowSeconds) return fail('expired')
		// Only a verified token spends the device's budget: forged tokens in a toy's name cost it nothing.
		await this.spend(deviceId)
		// The nonce is claimed only after the signature checks out, so forged tokens can't burn nonces.
		if (!(await this.nonces.claim(deviceId, verified.nonce, this.policy.nonceTtlSeconds))) return fail('replayed')
		return { ok: true, kind: 'v2' }
	}

	private async authenticateJwt(deviceId: string, token: string): Promise<AuthResult> {
		const verdict = await this.jwt!.verify(deviceId, token)
		if (verdict !== 'ok') return fail(verdict === 'expired' ? 'jwt_expired' : verdict === 'revoked' ? 'revoked' : 'bad_token')
		await this.spend(deviceId)
		return { ok: true, kind: 'jwt' }
	}

	private async spend(deviceId: string): Promise<void> {
		if (!this.budget) return
		const verdict = await this.budget.take(deviceId)
		if (verdict.allowed) return
		throw new GatewayError('RATE_LIMITED', 'too many tokens from this device; wait before connecting again', {
			retryAfterSeconds: verdict.retryAfterSeconds,
		})
	}
}

/** Device ids are checked with this before any token or database work (REST uses it too). */
export function isValidDeviceId(deviceId: string): boolean {
	return DEVICE_ID.test(deviceId)
}
