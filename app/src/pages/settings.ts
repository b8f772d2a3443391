import { api } from '../api'
import { field, h } from '../dom'
import { type Key, t } from '../i18n'
import type { Page } from '../route'
import { heading, notice, onSubmit } from '../ui'

// The family's rules for its toys. An empty field puts a rule back to the gateway's default,
// which each field shows as its hint.

interface Rules {
	timezone: string | null
	daily_limit_minutes: number | null
	quiet_hours: string | null
	daily_token_budget: number | null
	play_reminder_minutes: number | null
	allowed_tools: string[] | null
	retention_days: number | null
}
interface Settings {
	settings: Rules
	effective: { [K in keyof Rules]: NonNullable<Rules[K]> | null }
}

// The device tools a xiaozhi toy offers that a parent may let the AI use.
const TOOLS = ['self.get_device_status', 'self.audio_speaker.set_volume', 'self.screen.set_brightness'] as const

const num = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : Number(v))

export const settingsPage: Page = async () => {
	const s = await api<Settings>('GET', '/api/v1/family/settings')
	const { settings: r, effective: e } = s
	const [qFrom, qTo] = (r.quiet_hours ?? '').split('-')
	const input = (id: string, value: number | null, min: number, max: number) =>
		h('input', { id, name: id, type: 'number', inputmode: 'numeric', min: String(min), max: String(max), value: value ?? '' })
	const chosen = new Set(r.allowed_tools ?? e.allowed_tools ?? [])
	const form = onSubmit(
		h(
			'form',
			{ id: 'settings-form' },
			field(t('settings.limit'), input('daily_limit_minutes', r.daily_limit_minutes, 0, 1440), t('settings.limit.hint', { v: e.daily_limit_minutes ?? 0 })),
			h(
				'fieldset',
				null,
				h('legend', null, t('settings.quiet')),
				h('p', { class: 'hint' }, t('settings.quiet.hint', { v: e.quiet_hours ?? t('settings.none') })),
				h('div', { class: 'row' }, field(t('settings.quiet.from'), h('input', { id: 'quiet_from', name: 'quiet_from', type: 'time', value: qFrom ?? '' })), field(t('settings.quiet.to'), h('input', { id: 'quiet_to', name: 'quiet_to', type: 'time', value: qTo ?? '' }))),
			),
			field(t('settings.budget'), input('daily_token_budget', r.daily_token_budget, 0, 1_000_000_000), t('settings.budget.hint', { v: e.daily_token_budget ?? 0 })),
			field(t('settings.reminder'), input('play_reminder_minutes', r.play_reminder_minutes, 1, 180), t('settings.reminder.hint', { v: e.play_reminder_minutes ?? 0 })),
			h(
				'fieldset',
				null,
				h('legend', null, t('settings.tools')),
				h('p', { class: 'hint' }, t('settings.tools.hint')),
				TOOLS.map((tool) => h('div', { class: 'check' }, h('input', { type: 'checkbox', id: `tool-${tool}`, name: 'tool', value: tool, checked: chosen.has(tool) }), h('label', { for: `tool-${tool}` }, t(`settings.tool.${tool}` as Key)))),
			),
			field(t('settings.timezone'), h('input', { id: 'timezone', name: 'timezone', value: r.timezone ?? '', maxlength: '64', autocomplete: 'off' }), t('settings.timezone.hint', { v: e.timezone ?? '' })),
			field(t('settings.retention'), input('retention_days', r.retention_days, 1, 365), t('settings.retention.hint', { v: e.retention_days ?? 0 })),
			h('button', { type: 'submit', class: 'primary' }, t('settings.save')),
		),
		async (d) => {
			const tools = [...form.querySelectorAll<HTMLInputElement>('input[name=tool]:checked')].map((i) => i.value)
			const quiet = d.quiet_from && d.quiet_to ? `${d.quiet_from}-${d.quiet_to}` : null
			await api('PATCH', '/api/v1/family/settings', {
				daily_limit_minutes: num(d.daily_limit_minutes),
				quiet_hours: quiet,
				daily_token_budget: num(d.daily_token_budget),
				play_reminder_minutes: num(d.play_reminder_minutes),
				allowed_tools: tools,
				timezone: d.timezone?.trim() || null,
				retention_days: num(d.retention_days),
			})
			form.querySelector('.form-status')!.replaceChildren(notice('ok', t('settings.saved')))
		},
	)
	return [heading(t('settings.title')), h('p', null, t('settings.intro')), form]
}
