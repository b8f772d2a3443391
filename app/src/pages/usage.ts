import { api } from '../api'
import { h } from '../dom'
import { fmtNumber, t } from '../i18n'
import type { Page } from '../route'
import { heading } from '../ui'

// Talk time, turns and estimated cost per day over the last 30 days.

interface Day {
	day: string
	turns: number
	minutes: number
	cost_usd: number
}
interface Usage {
	from: string
	to: string
	days: Day[]
	total: { turns: number; minutes: number; cost_usd: number }
}

export const usagePage: Page = async () => {
	const u = await api<Usage>('GET', '/api/v1/usage')
	return [
		heading(t('usage.title')),
		h('p', null, t('usage.range', { from: u.from, to: u.to })),
		h(
			'dl',
			{ class: 'totals' },
			h('dt', null, t('usage.minutes')),
			h('dd', { id: 'usage-minutes' }, fmtNumber(u.total.minutes, 1)),
			h('dt', null, t('usage.turns')),
			h('dd', { id: 'usage-turns' }, fmtNumber(u.total.turns)),
			h('dt', null, t('usage.cost')),
			h('dd', null, `$${fmtNumber(u.total.cost_usd, 2)}`),
		),
		u.days.length
			? h(
					'div',
					{ class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('usage.table') },
					h(
						'table',
						null,
						h('caption', null, t('usage.table')),
						h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('usage.day')), h('th', { scope: 'col' }, t('usage.minutes')), h('th', { scope: 'col' }, t('usage.turns')), h('th', { scope: 'col' }, t('usage.cost')))),
						h(
							'tbody',
							null,
							u.days.map((d) => h('tr', null, h('th', { scope: 'row' }, d.day), h('td', null, fmtNumber(d.minutes, 1)), h('td', null, fmtNumber(d.turns)), h('td', null, `$${fmtNumber(d.cost_usd, 2)}`))),
						),
					),
				)
			: h('p', null, t('usage.none')),
		h('p', { class: 'hint' }, t('usage.estimated')),
	]
}
