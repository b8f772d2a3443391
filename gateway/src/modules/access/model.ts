import { t } from 'elysia'

export const ErrorBody = t.Object({ code: t.String(), message: t.String() })

export const COOKIE = {
	access: 'teddy_access',
	refresh: 'teddy_refresh',
	csrf: 'teddy_csrf',
} as const

export const CSRF_HEADER = 'x-csrf-token'

/** Path parameter `{id}`; a malformed id is 404 like an unknown one (ids are not probed). */
export const IdParams = t.Object({ id: t.String({ description: 'an id (uuid)' }) })

// Shown on every route that needs a signed-in parent or operator.
export const SIGNED_IN: { security: Array<Record<string, string[]>> } = {
	security: [{ bearer: [] }, { cookie: [] }],
}

export const securitySchemes = {
	bearer: {
		type: 'http',
		scheme: 'bearer',
		bearerFormat: 'JWT',
		description: 'Access token from POST /api/v1/accounts/login (or /refresh), valid a few minutes.',
	},
	cookie: {
		type: 'apiKey',
		in: 'cookie',
		name: COOKIE.access,
		description:
			'The same token as an httpOnly SameSite=Strict cookie (login with `{"cookie": true}`). A request authenticated by this cookie with POST, PUT, PATCH or DELETE must also send the `X-CSRF-Token` header with the value of the readable `teddy_csrf` cookie (or the `csrf_token` from login/refresh); without it the answer is 403 CSRF_FAILED.',
	},
} as const
