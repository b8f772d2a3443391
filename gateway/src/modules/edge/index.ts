import { Elysia } from 'elysia'
import type { ClientInfo } from './client-address'
import { admit, type RestLimiters, routeKind } from './service'

// Hooks that run for every REST request, matched route or not, before any body is parsed.

export interface EdgeDeps {
	/** The client of a request (client-address.ts), noted by the server before Elysia sees it. */
	client: (request: Request) => ClientInfo
	limiters: RestLimiters
}

export function edgeModule(deps: EdgeDeps) {
	return new Elysia({ name: 'Edge' }).onRequest(async ({ request }) => {
		const { pathname } = new URL(request.url)
		await admit(deps.limiters, routeKind(pathname), deps.client(request).ip)
	})
}
