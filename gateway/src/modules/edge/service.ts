import { GatewayError } from '../../errors'
import type { RateLimiter } from '../../store/rate-limits'

// What every REST request passes before a route sees it: its client's budget for that kind of
// route. No Elysia here; index.ts hooks it in.

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
