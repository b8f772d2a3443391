import { Elysia } from 'elysia'
import { COOKIE, CSRF_HEADER } from './model'
import { type AccessDeps, type AccessRequest, asOperator, asParent, authenticate } from './service'

// The authorisation helper every parent and operator route uses: `{ parent: true }` resolves the
// signed-in parent (`parent.familyId` scopes every lookup), `{ operator: true }` an operator.
// Parents never pass as operators nor operators as parents.

function accessRequest(request: Request, headers: Record<string, string | undefined>, cookie: Record<string, { value?: unknown }>): AccessRequest {
	const value = cookie[COOKIE.access]?.value
	return {
		method: request.method,
		authorization: headers.authorization,
		cookieToken: typeof value === 'string' && value ? value : undefined,
		csrfHeader: headers[CSRF_HEADER],
	}
}

export function accessGuard(deps: AccessDeps) {
	return new Elysia({ name: 'Access' }).macro({
		parent: {
			async resolve({ request, headers, cookie }) {
				return { parent: asParent(await authenticate(deps, accessRequest(request, headers, cookie))) }
			},
		},
		operator: {
			async resolve({ request, headers, cookie }) {
				return { operator: asOperator(await authenticate(deps, accessRequest(request, headers, cookie))) }
			},
		},
		signedIn: {
			async resolve({ request, headers, cookie }) {
				return { principal: await authenticate(deps, accessRequest(request, headers, cookie)) }
			},
		},
	})
}

export type AccessGuard = ReturnType<typeof accessGuard>
export type { ParentPrincipal, Principal } from './service'
