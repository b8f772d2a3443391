import { Elysia } from 'elysia'
import type { ClientInfo } from './client-address'
import {
	admit,
	CORS_EXPOSED,
	checkBodySize,
	type OriginPolicy,
	preflightHeaders,
	type RestLimiters,
	routeKind,
	securityHeaders,
} from './service'

// Hooks that run for every REST request, matched route or not, before any body is parsed.
// Headers set here stay on every answer, errors (429, 413, 404 …) included.

export interface EdgeDeps {
	/** The client of a request (client-address.ts), noted by the server before Elysia sees it. */
	client: (request: Request) => ClientInfo
	limiters: RestLimiters
	origins: OriginPolicy
	/** MAX_REQUEST_BODY_BYTES */
	maxBodyBytes: number
}

export function edgeModule(deps: EdgeDeps) {
	return new Elysia({ name: 'Edge' }).onRequest(async ({ request, set, status }) => {
		const { pathname } = new URL(request.url)
		const client = deps.client(request)
		Object.assign(set.headers, securityHeaders(pathname, client.secure))
		const origin = request.headers.get('origin')
		const allowed = origin !== null && deps.origins.allows(origin)
		if (allowed) Object.assign(set.headers, deps.origins.allowOriginHeader(origin), CORS_EXPOSED)
		await admit(deps.limiters, routeKind(pathname), client.key)
		if (request.method === 'OPTIONS' && origin !== null && request.headers.has('access-control-request-method')) {
			if (!allowed) return status(403, { code: 'FORBIDDEN', message: 'this origin may not call the gateway from a browser' })
			Object.assign(set.headers, preflightHeaders(deps.origins, origin))
			return new Response(null, { status: 204 })
		}
		checkBodySize(request.method, request.headers, deps.maxBodyBytes)
	})
}
