import { type Static, t } from 'elysia'
import { PASSWORD_MAX, PASSWORD_MIN } from '../../auth/passwords'

const Email = t.String({ format: 'email', maxLength: 254, description: 'the parent’s email address' })
const Password = t.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, description: `${PASSWORD_MIN}-${PASSWORD_MAX} characters` })
const LinkToken = t.String({ minLength: 16, maxLength: 128, description: 'the token from the mailed link' })

export const RegisterBody = t.Object({ email: Email, password: Password })
export const EmailBody = t.Object({ email: Email })
export const LinkBody = t.Object({ token: LinkToken })
export const ResetBody = t.Object({ token: LinkToken, password: Password })
export const ChangeEmailBody = t.Object({ new_email: Email, password: t.String({ maxLength: PASSWORD_MAX }) })

export const LoginBody = t.Object({
	email: Email,
	password: t.String({ maxLength: PASSWORD_MAX }),
	cookie: t.Optional(
		t.Boolean({
			description:
				'true: the tokens are set as httpOnly SameSite=Strict cookies and left out of the body (the parent web app); default: returned in the body',
		}),
	),
})

export const RefreshBody = t.Object({
	refresh_token: t.Optional(t.String({ maxLength: 128, description: 'omit when the refresh cookie is used (then send X-CSRF-Token)' })),
})

export const LogoutBody = t.Object({
	everywhere: t.Optional(t.Boolean({ description: 'true: end every session of this account, not only this one' })),
})

export const Accepted = t.Object({ status: t.Literal('accepted'), message: t.String() })
export const Done = t.Object({ status: t.Literal('ok') })

export const Tokens = t.Object({
	token_type: t.Union([t.Literal('Bearer'), t.Literal('cookie')]),
	access_token: t.Optional(t.String()),
	refresh_token: t.Optional(t.String({ description: 'single use: each refresh returns the next; a used one presented again ends the session' })),
	expires_in: t.Integer({ description: 'seconds the access token is valid' }),
	csrf_token: t.String({ description: 'send as X-CSRF-Token on unsafe requests authenticated by cookie' }),
	role: t.Union([t.Literal('parent'), t.Literal('operator')]),
})

export const Me = t.Object({
	id: t.String(),
	email: t.String(),
	role: t.Union([t.Literal('parent'), t.Literal('operator')]),
	family_id: t.Union([t.String(), t.Null()]),
	email_verified: t.Boolean(),
	created_at: t.String({ format: 'date-time' }),
})

export type TokensBody = Static<typeof Tokens>
