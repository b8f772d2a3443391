import { api, type Child, type Device } from '../api'
import { h } from '../dom'
import { fmtDateTime, t } from '../i18n'
import type { Page } from '../route'
import { button, confirmDialog, heading } from '../ui'

// The family's toys: online or not, firmware, last seen, which child; unpairing.

export const toysPage: Page = async (ctx) => {
	const [{ devices }, { children }] = await Promise.all([
		api<{ devices: Device[] }>('GET', '/api/v1/devices'),
		api<{ children: Child[] }>('GET', '/api/v1/children'),
	])
	const names = new Map(children.map((c) => [c.id, c.name]))
	if (!devices.length) return [heading(t('toys.title')), h('p', null, t('toys.none'))]
	return [
		heading(t('toys.title')),
		h(
			'ul',
			{ class: 'plain' },
			devices.map((d) =>
				h(
					'li',
					{ class: 'card toy' },
					h('h2', null, d.device_id),
					h(
						'dl',
						null,
						h('dt', null, t('toys.status')),
						h('dd', { class: d.online ? 'online' : 'offline' }, d.online ? t('toys.online') : t('toys.offline')),
						h('dt', null, t('toys.child')),
						h('dd', null, names.get(d.child_id) ?? '—'),
						h('dt', null, t('toys.firmware')),
						h('dd', null, d.firmware_version ?? '—'),
						h('dt', null, t('toys.seen')),
						h('dd', null, fmtDateTime(d.last_seen_at)),
					),
					button(
						t('toys.unpair'),
						async () => {
							const ok = await confirmDialog({ title: t('toys.unpair.title'), items: [t('toys.unpair.1', { name: names.get(d.child_id) ?? '' })], confirm: t('toys.unpair') })
							if (!ok) return
							await api('DELETE', `/api/v1/devices/${encodeURIComponent(d.device_id)}`)
							ctx.go(location.pathname, true)
						},
						'danger',
					),
				),
			),
		),
	]
}
