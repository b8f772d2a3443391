import { type Alert, api } from '../api'
import { h } from '../dom'
import { fmtDateTime, type Key, t } from '../i18n'
import { button, errorText, notice } from '../ui'

// Crisis alerts, shown first and in red wherever a child's words are: each can be opened (what was
// said around it) and marked as looked after.

export function alertItem(a: Alert, childName: string, onChange: () => void): HTMLElement {
	const open = !a.acknowledged_at
	const status = h('div', { 'aria-live': 'polite' })
	return h(
		'li',
		{ class: open ? 'alert open' : 'alert', 'data-alert': a.id },
		h('p', { class: 'alert-kind' }, h('strong', null, open ? t('alerts.open') : t('alerts.done')), ' · ', t(`alerts.kind.${a.kind}` as Key), ' · ', childName),
		h('blockquote', { dir: 'auto' }, a.excerpt),
		h('p', { class: 'meta' }, fmtDateTime(a.created_at), a.acknowledged_at ? ` · ${t('alerts.ackedat', { when: fmtDateTime(a.acknowledged_at) })}` : ''),
		h(
			'div',
			{ class: 'row' },
			h('a', { href: `/app/alerts/${a.id}` }, t('alerts.read')),
			open
				? button(
						t('alerts.ack'),
						async () => {
							try {
								await api('POST', `/api/v1/alerts/${a.id}/acknowledge`)
								onChange()
							} catch (e) {
								status.replaceChildren(notice('error', errorText(e)))
							}
						},
						'primary',
						{ 'data-ack': a.id },
					)
				: null,
		),
		status,
	)
}
