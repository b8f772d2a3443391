import { type Alert, api, type Child, type Message } from '../api'
import { h } from '../dom'
import { fmtDateTime, t } from '../i18n'
import type { Page } from '../route'
import { button, confirmDialog, heading, section } from '../ui'

// What was said in one conversation, oldest first; the child's words that raised a crisis alert
// are marked. Deleting it also deletes the toy's memory of the child, which may quote it.

export const conversationPage: Page = async (ctx, [childId, id]) => {
	const [child, page, { alerts }] = await Promise.all([
		api<Child>('GET', `/api/v1/children/${childId}`),
		api<{ messages: Message[] }>('GET', `/api/v1/conversations/${id}/messages?limit=200`),
		api<{ alerts: Alert[] }>('GET', `/api/v1/alerts?child_id=${childId}&limit=100`),
	])
	const flagged = new Set(alerts.map((a) => a.excerpt.trim()))
	const messages = [...page.messages].sort((a, b) => a.seq - b.seq)
	const started = messages[0]?.created_at
	const list = h(
		'ol',
		{ class: 'messages' },
		messages.map((m) => {
			const crisis = m.role === 'child' && flagged.has(m.text.trim())
			return h(
				'li',
				{ class: `msg ${m.role}${crisis ? ' crisis' : ''}` },
				h('p', { class: 'who' }, m.role === 'child' ? child.name : m.role === 'assistant' ? t('conv.toy') : t('conv.system'), crisis ? h('strong', { class: 'flag' }, ` · ${t('conv.flagged')}`) : null),
				h('p', { class: 'text', dir: 'auto' }, m.text),
				h('p', { class: 'meta' }, fmtDateTime(m.created_at)),
			)
		}),
	)
	const del = async () => {
		const ok = await confirmDialog({
			title: t('conv.delete.title'),
			items: [t('conv.delete.1', { n: messages.length, name: child.name }), t('conv.delete.2', { name: child.name })],
			confirm: t('conv.delete.yes'),
		})
		if (!ok) return
		await api('DELETE', `/api/v1/conversations/${id}`)
		ctx.go(`/app/children/${childId}`)
	}
	return [
		heading(t('conv.heading', { name: child.name })),
		h('p', null, h('a', { href: `/app/children/${childId}` }, t('conv.back', { name: child.name }))),
		started ? h('p', { class: 'meta' }, fmtDateTime(started)) : null,
		messages.length ? list : h('p', null, t('conv.empty')),
		section(t('conv.delete.title'), button(t('conv.delete'), () => void del(), 'danger', { id: 'delete-conversation' })),
	]
}
