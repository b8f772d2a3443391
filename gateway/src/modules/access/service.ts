import type { Role } from '../../auth/parent-tokens'
import { type AccessTokens } from '../../auth/parent-tokens'
import { GatewayError } from '../../errors'
import type { AuthSessionRepository } from '../../store/auth-sessions'

// Who is asking: the one check every parent and operator route goes through. The token may come
// as `Authorization: Bearer` (apps, scripts) or as the httpOnly cookie (the parent web app); a
// cookie-borne request that changes something must prove it came from our own page (CSRF token).

export interface AccessDeps {
	tokens: AccessTokens
	sessions: AuthSessionRepository
}

export interface Principal {
	parentId: string
	familyId: string | null
	role: Role
	sessionId: string
	via: 'bearer' | 'cookie'
}

/** A signed-in parent: always has a family, and every id they name is looked up inside it. */
export interface ParentPrincipal extends Principal {
	role: 'parent'
	familyId: string
}

export interface AccessRequest {
	method: string
	authorization?: string
	cookieToken?: string
	csrfHeader?: string
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function bearerToken(authorization: string | undefined): string | undefined {
	const m = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null
	return m?.[1]
}

export async function authenticate(deps: AccessDeps, req: AccessRequest): Promise<Principal> {
	const bearer = bearerToken(req.authorization)
	const token = bearer ?? req.cookieToken
	if (!token) throw new GatewayError('UNAUTHORIZED', 'sign in first: send Authorization: Bearer <access token>')
	const claims = await deps.tokens.verify(token)
	if (claims === 'expired') throw new GatewayError('UNAUTHORIZED', 'the access token has expired; refresh it')
	if (claims === 'bad') throw new GatewayError('UNAUTHORIZED', 'the access token is not valid')
	const via = bearer ? 'bearer' : 'cookie'
	if (via === 'cookie' && !SAFE_METHODS.has(req.method.toUpperCase()) && !deps.tokens.csrfMatches(claims.sessionId, req.csrfHeader)) {
		throw new GatewayError('CSRF_FAILED', 'send the X-CSRF-Token header with the csrf token of this session')
	}
	const live = await deps.sessions.principal(claims.sessionId)
	if (!live || live.parentId !== claims.parentId) throw new GatewayError('UNAUTHORIZED', 'this session has ended; sign in again')
	return { ...live, via }
}

export function asParent(p: Principal): ParentPrincipal {
	if (p.role !== 'parent' || !p.familyId) throw new GatewayError('FORBIDDEN', 'this route is for parent accounts')
	return p as ParentPrincipal
}

export function asOperator(p: Principal): Principal {
	if (p.role !== 'operator') throw new GatewayError('FORBIDDEN', 'this route is for operators')
	return p
}
