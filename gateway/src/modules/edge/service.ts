import { GatewayError } from '../../errors'
import type { RateLimiter } from '../../store/rate-limits'

// What every REST request passes before a route sees it: its client's budget for that kind of
// route, a body size it announced, the browser origin it comes from, and the headers that keep a
// browser from misusing the answer. No Elysia here; index.ts hooks it in.

export type RouteKind = 'device' | 'parent' | 'other'

// Routes a toy calls (PROTOCOL.md §2): each takes a Device-Id and, mostly, a device token.
const DEVICE_PATHS = new Set(['/xiaozhi/ota', '/xiaozhi/ota/activate', '/api/v1/devices/token', '/api/v1/pair/start'])

/** The budget a path is counted against; by kind, not by path, so invented paths buy no budget. */
export function routeKind(pathname: string): RouteKind {
	const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname
	if (DEVICE_PATHS.has(path) || path.startsWith('/api/v1/esp32/')) return 'device'
	// ? Every other API route is parent- or operator-facing (claims, and the parent API to come).
	if (path.startsWith('/api/v1/')) return 'parent'
	return 'other'
}

export type RestLimiters = Record<RouteKind, RateLimiter>

const LIMITED: Record<RouteKind, string> = {
	device: 'too many device requests from this address; retry later',
	parent: 'too many requests from this address; retry later',
	other: 'too many requests from this address; retry later',
}

/** Counts one request of `kind` for the client; RATE_LIMITED (429 with Retry-After) past the limit. */
export async function admit(limiters: RestLimiters, kind: RouteKind, ip: string): Promise<void> {
	const verdict = await limiters[kind].take(ip)
	if (!verdict.allowed) throw new GatewayError('RATE_LIMITED', LIMITED[kind], { retryAfterSeconds: verdict.retryAfterSeconds })
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Refuses a body over `maxBytes` from its Content-Length, before a byte of it is read. */
export function checkBodySize(method: string, headers: Headers, maxBytes: number): void {
	if (!BODY_METHODS.has(method)) return
	const length = headers.get('content-length')
	if (length === null) {
		// ? Chunked bodies could only be measured by reading them; every client of this API sends a length.
		if (headers.has('transfer-encoding')) throw new GatewayError('LENGTH_REQUIRED', 'send the body with a Content-Length header')
		return
	}
	if (!/^\d+$/.test(length.trim()) || Number(length) > maxBytes) {
		throw new GatewayError('PAYLOAD_TOO_LARGE', `request bodies are limited to ${maxBytes} bytes`)
	}
}

// Browser origins (ALLOWED_ORIGINS) for CORS and for device sockets opened from a page.
export class OriginPolicy {
	private readonly any: boolean
	private readonly origins: Set<string>

	constructor(allowed: string[]) {
		this.any = allowed.includes('*')
		this.origins = new Set(allowed.filter((o) => o !== '*').map((o) => o.toLowerCase()))
	}

	allows(origin: string): boolean {
		return this.any || this.origins.has(origin.toLowerCase())
	}

	/** Access-Control-Allow-Origin for an allowed origin: `*` when any origin is, else the origin itself. */
	allowOriginHeader(origin: string): Record<string, string> {
		return this.any ? { 'access-control-allow-origin': '*' } : { 'access-control-allow-origin': origin, vary: 'Origin' }
	}
}

// What the xiaozhi tools and a parent's browser send (PROTOCOL.md §2, §4).
const CORS_PREFLIGHT = {
	'access-control-allow-methods': 'GET, POST, OPTIONS',
	'access-control-allow-headers':
		'Authorization, Content-Type, Device-Id, Client-Id, Protocol-Version, Activation-Version, Serial-Number, Accept-Language, If-None-Match',
	'access-control-max-age': '600',
}

export const CORS_EXPOSED = { 'access-control-expose-headers': 'Retry-After, X-Correlation-Id, ETag' }

export function preflightHeaders(policy: OriginPolicy, origin: string): Record<string, string> {
	return { ...policy.allowOriginHeader(origin), ...CORS_PREFLIGHT }
}

// JSON answers load nothing and may be framed by no one. The API reference page loads its own
// script and styles from this gateway (never a CDN) and talks to this gateway only.
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
const DOCS_CSP =
	"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

export function securityHeaders(pathname: string, secure: boolean): Record<string, string> {
	const headers: Record<string, string> = {
		'content-security-policy': pathname === '/swagger' || pathname.startsWith('/swagger/') ? DOCS_CSP : API_CSP,
		'x-content-type-options': 'nosniff',
		'x-frame-options': 'DENY',
		'referrer-policy': 'no-referrer',
		'cross-origin-opener-policy': 'same-origin',
	}
	// ? HSTS only means something over TLS; on plain HTTP browsers ignore it (RFC 6797 §8.1).
	if (secure) headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains'
	return headers
}
