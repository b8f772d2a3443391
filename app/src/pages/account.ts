import { api, download } from '../api'
import { h } from '../dom'
import { t } from '../i18n'
import type { Page } from '../route'
import { button, confirmDialog, errorText, heading, notice, section } from '../ui'

// The parent's account: signing out, the household's data as a file, deleting everything.

export const accountPage: Page = (ctx) => {
	const status = h('div', { 'aria-live': 'polite' })
	const del = async () => {
		const pw = await confirmDialog({
			title: t('account.delete.title'),
			items: [t('account.delete.1'), t('account.delete.2'), t('account.delete.3'), t('account.delete.4'), t('account.delete.5')],
			confirm: t('account.delete.yes'),
			password: true,
		})
		if (typeof pw !== 'string') return
		try {
			await api('DELETE', '/api/v1/accounts/me', { password: pw })
			ctx.me = null
			ctx.go('/app/account-deleted')
		} catch (e) {
			status.replaceChildren(notice('error', errorText(e)))
		}
	}
	return [
		heading(t('account.title')),
		h('p', null, t('account.signedin', { email: ctx.me?.email ?? '' })),
		button(
			t('account.logout'),
			async () => {
				await api('POST', '/api/v1/accounts/logout', {}).catch(() => {})
				ctx.signedOut()
			},
			'',
			{ id: 'logout' },
		),
		section(t('account.export.title'), h('p', null, t('account.export.intro')), button(t('account.export'), () => void download('/api/v1/family/export', 'teddy-family.json'), '', { id: 'export-family' })),
		section(t('account.delete.title'), h('p', null, t('account.delete.intro')), button(t('account.delete'), () => void del(), 'danger', { id: 'delete-account' }), status),
	]
}
