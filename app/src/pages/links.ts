import { api } from '../api'
import { h } from '../dom'
import { type Key, t } from '../i18n'
import type { Route } from '../route'
import { errorText, heading, notice } from '../ui'
import { takeToken } from './auth'

// Pages the mailed links open. The token goes to the API only after the parent presses the button,
// so a mail scanner that follows the link confirms nothing.

function linkPage(k: string, path: string, next: [string, Key]) {
	return (_ctx: unknown, _p: string[], query: URLSearchParams) => {
		const title = t(`links.${k}.title` as Key)
		const intro = t(`links.${k}.intro` as Key)
		const action = t(`links.${k}.action` as Key)
		const done = t(`links.${k}.done` as Key)
		const token = takeToken(query)
		if (!token) return [heading(title), notice('error', t('err.LINK_INVALID'))]
		const out = h('div', { 'aria-live': 'polite' })
		const go = h('button', { type: 'button', class: 'primary', id: 'link-confirm' }, action)
		go.addEventListener('click', async () => {
			go.disabled = true
			try {
				await api('POST', path, { token })
				go.remove()
				out.replaceChildren(notice('ok', done), h('p', null, h('a', { href: next[0], id: 'link-next' }, t(next[1]))))
			} catch (e) {
				go.disabled = false
				out.replaceChildren(notice('error', errorText(e)))
			}
		})
		return [heading(title), h('p', null, intro), go, out]
	}
}

export const linkRoutes: Route[] = [
	{
		path: /^\/app\/verify-email$/,
		page: linkPage('verify', '/api/v1/accounts/verify-email', ['/app/login', 'auth.login']),
	},
	{
		path: /^\/app\/confirm-consent$/,
		page: linkPage('consent', '/api/v1/consent/confirm', ['/app', 'nav.children']),
	},
	{
		path: /^\/app\/confirm-email$/,
		page: linkPage('email', '/api/v1/accounts/email/confirm', ['/app/login', 'auth.login']),
	},
]
