import { type Alert, api, type Child, type Conversation, type Device, download } from '../api'
import { field, h } from '../dom'
import { fmtDateTime, t } from '../i18n'
import type { Ctx, Page } from '../route'
import { button, confirmDialog, errorText, heading, notice, onSubmit, section } from '../ui'
import { alertItem } from './alerts-list'

// One child: consent, pairing a toy, crisis alerts, conversations, learning progress, export, delete.

interface Policy {
	version: string
	texts: { coppa: string; third_party_ai: string }
	third_party_ai_required: boolean
}
interface ConsentState {
	coppa: boolean
	third_party_ai: boolean
	history: Array<{ kind: string; confirmed_at: string | null; withdrawn_at: string | null }>
}
interface Episode {
	id: number
	title: string
	status: 'done' | 'current' | 'upcoming'
	turns_done: number
	turns_to_complete: number
}
interface Progress {
	episodes_completed: number
	seasons: Array<{ id: number; title: string; episodes: Episode[] }>
}

export const childPage: Page = async (ctx, [id]) => {
	const base = `/api/v1/children/${id}`
	const [child, consent, policy, { conversations }, { alerts }, progress, { devices }] = await Promise.all([
		api<Child>('GET', base),
		api<ConsentState>('GET', `${base}/consent`),
		api<Policy>('GET', '/api/v1/consent/policy'),
		api<{ conversations: Conversation[] }>('GET', `${base}/conversations?limit=50`),
		api<{ alerts: Alert[] }>('GET', `/api/v1/alerts?child_id=${id}&limit=50`),
		api<Progress>('GET', `${base}/progress`),
		api<{ devices: Device[] }>('GET', '/api/v1/devices'),
	])
	const reload = () => ctx.go(location.pathname, true)
	const out: Node[] = [heading(child.name), h('p', { class: 'meta' }, t('child.age', { age: child.age }))]
	const open = alerts.filter((a) => !a.acknowledged_at)
	if (alerts.length) {
		out.push(
			h(
				'section',
				{ class: open.length ? 'card alerts' : 'card', 'aria-labelledby': 'alerts-h' },
				h('h2', { id: 'alerts-h' }, t('alerts.title')),
				h('ul', { class: 'plain' }, alerts.map((a) => alertItem(a, child.name, reload))),
			),
		)
	}
	out.push(consentSection(child, consent, policy, reload))
	out.push(pairSection(child, devices.filter((d) => d.child_id === id), reload))
	out.push(
		section(
			t('conv.title'),
			conversations.length
				? h(
						'ul',
						{ class: 'plain convs' },
						conversations.map((c) =>
							h(
								'li',
								null,
								h('a', { href: `/app/children/${id}/conversations/${c.id}` }, fmtDateTime(c.started_at)),
								h('span', { class: 'meta' }, ` · ${t('conv.count', { n: c.messages })}`),
							),
						),
					)
				: h('p', null, t('conv.none')),
		),
	)
	out.push(progressSection(progress))
	out.push(
		section(
			t('child.data'),
			h('p', null, t('child.export.intro', { name: child.name })),
			button(t('child.export'), () => void download(`${base}/export`, 'teddy-child.json'), '', { id: 'export-child' }),
			h('p', null, t('child.delete.intro', { name: child.name })),
			button(t('child.delete'), () => void deleteChild(ctx, child), 'danger', { id: 'delete-child' }),
		),
	)
	return out
}

function consentSection(child: Child, c: ConsentState, policy: Policy, reload: () => void): HTMLElement {
	const pending = c.history.some((r) => r.kind === 'coppa' && !r.confirmed_at && !r.withdrawn_at)
	if (c.coppa) {
		const status = h('div', { 'aria-live': 'polite' })
		return section(
			t('consent.title'),
			notice('ok', c.third_party_ai ? t('consent.given.ai') : t('consent.given')),
			button(
				t('consent.withdraw'),
				async () => {
					try {
						await api('DELETE', `/api/v1/children/${child.id}/consent`)
						reload()
					} catch (e) {
						status.replaceChildren(notice('error', errorText(e)))
					}
				},
				'',
				{ id: 'consent-withdraw' },
			),
			status,
		)
	}
	const ai = h('input', { type: 'checkbox', id: 'consent-ai', name: 'third_party_ai', value: 'yes', required: policy.third_party_ai_required })
	const form = onSubmit(
		h(
			'form',
			{ id: 'consent-form' },
			h('p', null, t('consent.intro', { name: child.name })),
			h('div', { class: 'policy', id: 'consent-text' }, h('p', { lang: 'en', dir: 'ltr' }, policy.texts.coppa)),
			h('p', { class: 'meta', id: 'consent-version' }, t('consent.version', { v: policy.version })),
			h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'consent-coppa', name: 'coppa', value: 'yes', required: true }), h('label', { for: 'consent-coppa' }, t('consent.agree', { name: child.name }))),
			h('div', { class: 'policy' }, h('p', { lang: 'en', dir: 'ltr' }, policy.texts.third_party_ai)),
			h('div', { class: 'check' }, ai, h('label', { for: 'consent-ai' }, policy.third_party_ai_required ? t('consent.ai.required') : t('consent.ai', { name: child.name }))),
			h('button', { type: 'submit', class: 'primary' }, t('consent.give')),
		),
		async (d) => {
			await api('POST', `/api/v1/children/${child.id}/consent`, { policy_version: policy.version, method: 'email_plus', third_party_ai: d.third_party_ai === 'yes' })
			form.replaceWith(notice('ok', t('consent.sent')))
		},
	)
	return section(t('consent.title'), pending ? notice('info', t('consent.pending')) : null, form)
}

function pairSection(child: Child, toys: Device[], reload: () => void): HTMLElement {
	const code = h('input', { id: 'pair-code', name: 'code', inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: '6', required: true, autocomplete: 'one-time-code' })
	const form = onSubmit(
		h('form', { id: 'pair-form' }, field(t('pair.code'), code, t('pair.hint')), h('button', { type: 'submit', class: 'primary' }, t('pair.go'))),
		async (d) => {
			await api('POST', '/api/v1/pair/claim', { code: d.code, child_id: child.id })
			reload()
		},
	)
	return section(
		t('pair.title'),
		toys.length
			? h('ul', { class: 'plain' }, toys.map((d) => h('li', { class: 'toy' }, h('strong', null, d.device_id), ' · ', d.online ? t('toys.online') : t('toys.offline'))))
			: h('p', null, t('pair.none')),
		h('p', null, t('pair.intro', { name: child.name })),
		form,
	)
}

function progressSection(p: Progress): HTMLElement {
	return section(
		t('progress.title'),
		h('p', null, t('progress.done', { n: p.episodes_completed })),
		p.seasons.map((s) =>
			h(
				'details',
				null,
				h('summary', null, h('bdi', null, s.title)),
				h(
					'ol',
					null,
					s.episodes.map((e) => h('li', { class: `ep ${e.status}` }, h('bdi', null, e.title), h('span', { class: 'meta' }, ` · ${t(e.status === 'done' ? 'progress.done.status' : e.status === 'current' ? 'progress.current' : 'progress.upcoming')}${e.status === 'current' ? ` (${e.turns_done}/${e.turns_to_complete})` : ''}`))),
				),
			),
		),
	)
}

async function deleteChild(ctx: Ctx, child: Child): Promise<void> {
	const ok = await confirmDialog({
		title: t('child.delete.title', { name: child.name }),
		items: [t('child.delete.1', { name: child.name }), t('child.delete.2'), t('child.delete.3'), t('child.delete.4'), t('child.delete.5')],
		confirm: t('child.delete.yes', { name: child.name }),
	})
	if (!ok) return
	await api('DELETE', `/api/v1/children/${child.id}`)
	ctx.go('/app')
}
