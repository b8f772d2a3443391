import { Elysia } from 'elysia'
import { GatewayError } from '../../errors'
import type { AccessGuard } from '../access'
import { COOKIE, CSRF_HEADER, ErrorBody, SIGNED_IN } from '../access/model'
import {
	Accepted,
	ChangeEmailBody,
	Done,
	EmailBody,
	LinkBody,
	LoginBody,
	LogoutBody,
	Me,
	RefreshBody,
	RegisterBody,
	ResetBody,
	Tokens,
	type TokensBody,
} from './model'
import type { AccountsService, SignedIn } from './service'

export interface AccountsModuleDeps {
	service: AccountsService
	access: AccessGuard
	clientIp: (request: Request) => string
	/** Cookies carry `Secure` when the parent app is served over https. */
	secureCookies: boolean
	refreshTokenTtlDays: number
}

type CookieJar = Record<string, { set(v: Record<string, unknown>): unknown; remove(): unknown }>

const ACCEPTED = { status: 'accepted' as const }
const tags = ['accounts']

export function accountsModule(deps: AccountsModuleDeps) {
	const { service } = deps
	const cookieBase = { sameSite: 'strict' as const, secure: deps.secureCookies }

	function setCookies(cookie: CookieJar, s: SignedIn): void {
		cookie[COOKIE.access]!.set({ value: s.accessToken, httpOnly: true, path: '/api', maxAge: s.expiresIn, ...cookieBase })
		cookie[COOKIE.refresh]!.set({
			value: s.refreshToken,
			httpOnly: true,
			path: '/api/v1/accounts',
			maxAge: deps.refreshTokenTtlDays * 86_400,
			...cookieBase,
		})
		// ? Readable by the app's script on purpose: it echoes it in X-CSRF-Token, which a foreign page cannot read.
		cookie[COOKIE.csrf]!.set({ value: s.csrfToken, httpOnly: false, path: '/', maxAge: deps.refreshTokenTtlDays * 86_400, ...cookieBase })
	}

	function clearCookies(cookie: CookieJar): void {
		for (const name of [COOKIE.access, COOKIE.refresh, COOKIE.csrf]) cookie[name]!.remove()
	}

	function tokensBody(s: SignedIn, viaCookie: boolean): TokensBody {
		if (viaCookie) return { token_type: 'cookie', expires_in: s.expiresIn, csrf_token: s.csrfToken, role: s.role }
		return {
			token_type: 'Bearer',
			access_token: s.accessToken,
			refresh_token: s.refreshToken,
			expires_in: s.expiresIn,
			csrf_token: s.csrfToken,
			role: s.role,
		}
	}

	return new Elysia({ name: 'Accounts', detail: { tags } })
		.use(deps.access)
		.post(
			'/api/v1/accounts/register',
			async ({ body, status }) => {
				await service.register(body.email, body.password)
				return status(202, { ...ACCEPTED, message: 'if the address can be used, a confirmation link is on its way' })
			},
			{
				body: RegisterBody,
				response: { 202: Accepted, 400: ErrorBody },
				detail: {
					summary: 'Create a parent account',
					description:
						'Always 202, whether or not the address already has an account (that owner gets a mail instead): answers never reveal which addresses are registered. The account can sign in once the mailed link is confirmed (POST /api/v1/accounts/verify-email).',
				},
			},
		)
		.post(
			'/api/v1/accounts/verify-email',
			async ({ body }) => {
				await service.verifyEmail(body.token)
				return { status: 'ok' as const }
			},
			{ body: LinkBody, response: { 200: Done, 400: ErrorBody }, detail: { summary: 'Confirm the address with the mailed token' } },
		)
		.post(
			'/api/v1/accounts/verify-email/resend',
			async ({ body, status }) => {
				await service.resendVerification(body.email)
				return status(202, { ...ACCEPTED, message: 'if the address has an unconfirmed account, a new link is on its way' })
			},
			{ body: EmailBody, response: { 202: Accepted, 400: ErrorBody }, detail: { summary: 'Send the confirmation link again' } },
		)
		.post(
			'/api/v1/accounts/login',
			async ({ body, request, cookie, set }) => {
				const result = await service.login(body.email, body.password, deps.clientIp(request))
				if ('lockedForMs' in result) {
					set.headers['retry-after'] = String(Math.ceil(result.lockedForMs / 1000))
					throw new GatewayError('ACCOUNT_LOCKED', 'too many failed sign-ins; wait and try again, or reset your password')
				}
				if (body.cookie) setCookies(cookie as unknown as CookieJar, result.signedIn)
				return tokensBody(result.signedIn, body.cookie === true)
			},
			{
				body: LoginBody,
				response: { 200: Tokens, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
				detail: {
					summary: 'Sign in',
					description:
						'Returns a short-lived access token and a single-use refresh token. Repeated failures lock the account and the client address for a while (429 ACCOUNT_LOCKED with Retry-After), even for the right password. 403 EMAIL_NOT_VERIFIED until the address is confirmed.',
				},
			},
		)
		.post(
			'/api/v1/accounts/refresh',
			async ({ body, cookie, headers }) => {
				const jar = cookie as unknown as CookieJar
				if (body.refresh_token) return tokensBody(await service.refresh(body.refresh_token), false)
				const fromCookie = (cookie[COOKIE.refresh]?.value as string | undefined) || undefined
				if (!fromCookie) throw new GatewayError('UNAUTHORIZED', 'send refresh_token, or the refresh cookie')
				const sessionId = await service.sessionOfRefresh(fromCookie)
				if (sessionId && !deps.service.csrfMatches(sessionId, headers[CSRF_HEADER])) {
					throw new GatewayError('CSRF_FAILED', 'send the X-CSRF-Token header with the csrf token of this session')
				}
				const s = await service.refresh(fromCookie)
				setCookies(jar, s)
				return tokensBody(s, true)
			},
			{
				body: RefreshBody,
				response: { 200: Tokens, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
				detail: {
					summary: 'Trade a refresh token for new tokens',
					description:
						'Each refresh token works once and the answer carries the next one. Presenting a used refresh token again ends its whole session (it was copied): both holders must sign in again.',
				},
			},
		)
		.post(
			'/api/v1/accounts/logout',
			async ({ principal, body, cookie }) => {
				await service.logout(principal.parentId, principal.sessionId, body.everywhere === true)
				clearCookies(cookie as unknown as CookieJar)
				return { status: 'ok' as const }
			},
			{
				signedIn: true,
				body: LogoutBody,
				response: { 200: Done, 401: ErrorBody, 403: ErrorBody },
				detail: { summary: 'Sign out here, or everywhere', ...SIGNED_IN },
			},
		)
		.post(
			'/api/v1/accounts/password/forgot',
			async ({ body, status }) => {
				await service.forgotPassword(body.email)
				return status(202, { ...ACCEPTED, message: 'if the address has an account, a reset link is on its way' })
			},
			{ body: EmailBody, response: { 202: Accepted, 400: ErrorBody }, detail: { summary: 'Mail a password reset link' } },
		)
		.post(
			'/api/v1/accounts/password/reset',
			async ({ body }) => {
				await service.resetPassword(body.token, body.password)
				return { status: 'ok' as const }
			},
			{
				body: ResetBody,
				response: { 200: Done, 400: ErrorBody },
				detail: { summary: 'Choose a new password with the mailed token', description: 'Every session of the account ends.' },
			},
		)
		.post(
			'/api/v1/accounts/email/change',
			async ({ parent, body, status }) => {
				await service.requestEmailChange(parent.parentId, body.new_email, body.password)
				return status(202, { ...ACCEPTED, message: 'a confirmation link is on its way to the new address' })
			},
			{
				parent: true,
				body: ChangeEmailBody,
				response: { 202: Accepted, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
				detail: { summary: 'Change the address (confirmed from the new one)', ...SIGNED_IN },
			},
		)
		.post(
			'/api/v1/accounts/email/confirm',
			async ({ body }) => {
				await service.confirmEmailChange(body.token)
				return { status: 'ok' as const }
			},
			{ body: LinkBody, response: { 200: Done, 400: ErrorBody, 409: ErrorBody }, detail: { summary: 'Confirm a new address with the mailed token' } },
		)
		.get(
			'/api/v1/accounts/me',
			async ({ principal }) => {
				const a = await service.me(principal.parentId)
				return {
					id: a.id,
					email: a.email,
					role: a.role,
					family_id: a.familyId,
					email_verified: a.emailVerified,
					created_at: a.createdAt.toISOString(),
				}
			},
			{ signedIn: true, response: { 200: Me, 401: ErrorBody }, detail: { summary: 'The signed-in account', ...SIGNED_IN } },
		)
}
