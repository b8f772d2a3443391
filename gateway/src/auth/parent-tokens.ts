import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { errors, jwtVerify, SignJWT } from 'jose'
import type { AuthKeys } from './auth-secret'

// Parent and operator access tokens: short-lived HS256 JWTs naming the account, its family, its
// role and its session (auth_sessions). The session is checked on every request, so logout and
// password reset end a token before its expiry. Refresh tokens and mailed links are opaque random
// strings kept only as SHA-256.

export type Role = 'parent' | 'operator'

export interface AccessClaims {
	parentId: string
	familyId: string | null
	role: Role
	sessionId: string
}

export interface IssuedAccess {
	token: string
	expiresIn: number
}

const ISSUER = 'teddy-gateway'
const AUDIENCE = 'teddy-parent-api'

export class AccessTokens {
	constructor(
		private readonly keys: AuthKeys,
		readonly ttlSeconds: number,
		private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
	) {}

	async issue(c: AccessClaims): Promise<IssuedAccess> {
		const now = this.nowSeconds()
		const token = await new SignJWT({ typ: 'access', fam: c.familyId, role: c.role, sid: c.sessionId })
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setSubject(c.parentId)
			.setIssuer(ISSUER)
			.setAudience(AUDIENCE)
			.setIssuedAt(now)
			.setExpirationTime(now + this.ttlSeconds)
			.sign(this.keys.accessJwt)
		return { token, expiresIn: this.ttlSeconds }
	}

	/** The claims of a genuine, unexpired access token; 'expired' or 'bad' otherwise. */
	async verify(token: string): Promise<AccessClaims | 'expired' | 'bad'> {
		try {
			const { payload } = await jwtVerify(token, this.keys.accessJwt, {
				// ! Pinned: the algorithm in the token's header is attacker-chosen.
				algorithms: ['HS256'],
				issuer: ISSUER,
				audience: AUDIENCE,
				requiredClaims: ['sub', 'iat', 'exp'],
				currentDate: new Date(this.nowSeconds() * 1000),
			})
			const { typ, fam, role, sid, sub } = payload as Record<string, unknown>
			if (typ !== 'access' || typeof sub !== 'string' || typeof sid !== 'string') return 'bad'
			if (role !== 'parent' && role !== 'operator') return 'bad'
			if (fam !== null && typeof fam !== 'string') return 'bad'
			return { parentId: sub, familyId: fam, role, sessionId: sid }
		} catch (err) {
			return err instanceof errors.JWTExpired ? 'expired' : 'bad'
		}
	}

	/** The CSRF token of a session: what a cookie-authenticated app must echo in X-CSRF-Token. */
	csrfToken(sessionId: string): string {
		return createHmac('sha256', this.keys.csrf).update(sessionId).digest('base64url')
	}

	csrfMatches(sessionId: string, header: string | undefined): boolean {
		if (!header) return false
		const want = Buffer.from(this.csrfToken(sessionId))
		const got = Buffer.from(header)
		return want.length === got.length && timingSafeEqual(want, got)
	}
}

/** 32 random bytes, base64url: refresh tokens and mailed links. */
export function opaqueToken(): string {
	return randomBytes(32).toString('base64url')
}

export function tokenHash(token: string): Uint8Array {
	return new Uint8Array(createHash('sha256').update(token).digest())
}
