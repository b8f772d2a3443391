import { type Alert, api, type Message } from '../api'
import { h } from '../dom'
import { fmtDateTime, type Key, t } from '../i18n'
import type { Page } from '../route'
import { button, heading, notice } from '../ui'

// One crisis alert (the mailed link opens it): what the child said, what was said around it.

export const alertPage: Page = async (ctx, [id]) => {
	const a = await api<Alert & { context: Message[] }>('GET', `/api/v1/alerts/${id}`)
	const open = !a.acknowledged_at
	return [
		heading(t('alert.title')),
		h(
			'div',
			{ class: open ? 'card alerts' : 'card' },
			h('p', { class: 'alert-kind' }, h('strong', null, open ? t('alerts.open') : t('alerts.done')), ' · ', t(`alerts.kind.${a.kind}` as Key)),
			h('blockquote', { dir: 'auto' }, a.excerpt),
			h('p', { class: 'meta' }, fmtDateTime(a.created_at)),
			open
				? button(
						t('alerts.ack'),
						async () => {
							await api('POST', `/api/v1/alerts/${id}/acknowledge`)
							ctx.go(location.pathname, true)
						},
						'primary',
						{ 'data-ack': id },
					)
				: notice('ok', t('alerts.ackedat', { when: fmtDateTime(a.acknowledged_at!) })),
		),
		h('h2', null, t('alert.context')),
		h(
			'ol',
			{ class: 'messages' },
			a.context.map((m) => h('li', { class: `msg ${m.role}${m.text.trim() === a.excerpt.trim() ? ' crisis' : ''}` }, h('p', { class: 'who' }, m.role === 'child' ? t('conv.child') : t('conv.toy')), h('p', { class: 'text', dir: 'auto' }, m.text))),
		),
		h('p', { class: 'help' }, t('alert.help')),
		a.child_id ? h('p', null, h('a', { href: `/app/children/${a.child_id}` }, t('alert.child'))) : null,
	]
}
