import { api } from '../api'
import { h } from '../dom'
import { t } from '../i18n'
import type { Route } from '../route'
import { field } from '../dom'
import { heading, notice, onSubmit } from '../ui'

// Signed-out pages: sign in, sign up, forgot password, choose a new password (from the mailed link).

const email = (id: string) => h('input', { id, name: 'email', type: 'email', autocomplete: 'email', required: true, maxlength: '254' })
const password = (id: string, fresh: boolean) =>
	h('input', { id, name: 'password', type: 'password', autocomplete: fresh ? 'new-password' : 'current-password', required: true, minlength: fresh ? '10' : false, maxlength: '128' })

/** Reads a mailed token once, then takes it out of the address bar and history. */
export function takeToken(query: URLSearchParams): string {
	const token = query.get('token') ?? ''
	if (token) history.replaceState(null, '', location.pathname)
	return token
}

export const authRoutes: Route[] = [
	{
		path: /^\/app\/login$/,
		page: (ctx, _p, query) => {
			const form = onSubmit(
				h('form', { id: 'login-form', novalidate: false }, field(t('auth.email'), email('login-email')), field(t('auth.password'), password('login-password', false)), h('button', { type: 'submit', class: 'primary' }, t('auth.login'))),
				async (d) => {
					await api('POST', '/api/v1/accounts/login', { email: d.email, password: d.password, cookie: true })
					await ctx.loadMe()
					ctx.go('/app')
				},
			)
			return [
				heading(t('auth.login.title')),
				query.get('reset') ? notice('ok', t('auth.reset.done')) : null,
				query.get('verified') ? notice('ok', t('links.verify.done')) : null,
				form,
				h('p', null, h('a', { href: '/app/forgot-password' }, t('auth.forgot.link'))),
				h('p', null, t('auth.noaccount'), ' ', h('a', { href: '/app/signup' }, t('auth.signup'))),
			]
		},
	},
	{
		path: /^\/app\/signup$/,
		page: () => {
			const done = h('div', { 'aria-live': 'polite' })
			const form = onSubmit(
				h(
					'form',
					{ id: 'signup-form' },
					field(t('auth.email'), email('signup-email')),
					field(t('auth.password'), password('signup-password', true), t('auth.password.hint')),
					h('button', { type: 'submit', class: 'primary' }, t('auth.signup')),
				),
				async (d) => {
					await api('POST', '/api/v1/accounts/register', { email: d.email, password: d.password })
					form.replaceWith(notice('ok', t('auth.signup.sent')))
				},
			)
			return [heading(t('auth.signup.title')), h('p', null, t('auth.signup.intro')), form, done, h('p', null, h('a', { href: '/app/login' }, t('auth.login')))]
		},
	},
	{
		path: /^\/app\/forgot-password$/,
		page: () => {
			const form = onSubmit(
				h('form', { id: 'forgot-form' }, field(t('auth.email'), email('forgot-email')), h('button', { type: 'submit', class: 'primary' }, t('auth.forgot.send'))),
				async (d) => {
					await api('POST', '/api/v1/accounts/password/forgot', { email: d.email })
					form.replaceWith(notice('ok', t('auth.forgot.sent')))
				},
			)
			return [heading(t('auth.forgot.title')), h('p', null, t('auth.forgot.intro')), form, h('p', null, h('a', { href: '/app/login' }, t('auth.login')))]
		},
	},
	{
		path: /^\/app\/reset-password$/,
		page: (ctx, _p, query) => {
			const token = takeToken(query)
			const form = onSubmit(
				h('form', { id: 'reset-form' }, field(t('auth.newpassword'), password('reset-password', true), t('auth.password.hint')), h('button', { type: 'submit', class: 'primary' }, t('auth.reset.save'))),
				async (d) => {
					await api('POST', '/api/v1/accounts/password/reset', { token, password: d.password })
					ctx.go('/app/login?reset=1')
				},
			)
			return [heading(t('auth.reset.title')), token ? form : notice('error', t('err.LINK_INVALID'))]
		},
	},
	{
		path: /^\/app\/account-deleted$/,
		page: () => [heading(t('account.deleted.title')), notice('ok', t('account.deleted')), h('p', null, h('a', { href: '/app/signup' }, t('auth.signup')))],
	},
]
