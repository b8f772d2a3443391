import { type Alert, api, type Child } from '../api'
import { field, h } from '../dom'
import { t } from '../i18n'
import type { Page } from '../route'
import { heading, notice, onSubmit, section } from '../ui'
import { alertItem } from './alerts-list'

// The family's children, open crisis alerts first, and adding a child.

export const homePage: Page = async (ctx) => {
	const [{ children }, { alerts }] = await Promise.all([
		api<{ children: Child[] }>('GET', '/api/v1/children'),
		api<{ alerts: Alert[] }>('GET', '/api/v1/alerts?open=true&limit=20'),
	])
	const names = new Map(children.map((c) => [c.id, c.name]))
	const out: Node[] = [heading(t('home.title'))]
	if (alerts.length) {
		out.push(
			h(
				'section',
				{ class: 'card alerts', 'aria-labelledby': 'alerts-h' },
				h('h2', { id: 'alerts-h' }, t('alerts.title')),
				h('ul', { class: 'plain' }, alerts.map((a) => alertItem(a, names.get(a.child_id ?? '') ?? '', () => ctx.go(location.pathname, true)))),
			),
		)
	}
	out.push(
		section(
			t('home.children'),
			children.length
				? h(
						'ul',
						{ class: 'plain children' },
						children.map((c) => h('li', null, h('a', { href: `/app/children/${c.id}`, class: 'child-link' }, c.name), h('span', { class: 'meta' }, ` · ${t('child.age', { age: c.age })}`))),
					)
				: h('p', null, t('home.nochildren')),
		),
	)
	const age = h('input', { id: 'child-age', name: 'age', type: 'number', min: '3', max: '13', required: true, inputmode: 'numeric' })
	const form = onSubmit(
		h(
			'form',
			{ id: 'add-child-form' },
			field(t('child.name'), h('input', { id: 'child-name', name: 'name', required: true, maxlength: '40', autocomplete: 'off' }), t('child.name.hint')),
			field(t('child.agefield'), age),
			h('button', { type: 'submit', class: 'primary' }, t('home.add')),
		),
		async (d) => {
			const c = await api<Child>('POST', '/api/v1/children', { name: d.name, age: Number(d.age) })
			ctx.go(`/app/children/${c.id}`)
		},
	)
	out.push(section(t('home.addtitle'), h('p', null, t('home.addintro')), form))
	if (!children.length) out.push(notice('info', t('home.steps')))
	return out
}
