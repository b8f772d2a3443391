import { t } from 'elysia'

const QuietHours = t.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM-HH:MM in the family’s zone; may wrap past midnight' })
const Tool = t.String({ pattern: '^[a-z][a-z0-9_.]{0,63}$' })
const N = <S extends ReturnType<typeof t.Integer> | ReturnType<typeof t.String> | ReturnType<typeof t.Array>>(s: S) => t.Union([s, t.Null()])

const fields = {
	timezone: N(t.String({ minLength: 1, maxLength: 64, description: 'IANA zone: where the family’s day and quiet hours are' })),
	daily_limit_minutes: N(t.Integer({ minimum: 0, maximum: 1440, description: 'minutes of talk per day; 0 = no limit' })),
	quiet_hours: N(QuietHours),
	daily_token_budget: N(t.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'AI tokens per day for the whole family; 0 = none' })),
	play_reminder_minutes: N(t.Integer({ minimum: 1, maximum: 180, description: 'break reminder period (the law’s ceiling is 180)' })),
	allowed_tools: N(t.Array(Tool, { maxItems: 32, description: 'device tools (MCP) the toy may be asked to use' })),
	retention_days: N(t.Integer({ minimum: 1, maximum: 365, description: 'days transcripts and alerts are kept' })),
}

export const SettingsPatch = t.Partial(t.Object(fields), {
	description: 'only the fields given change; null puts a setting back to the gateway default',
})

const Effective = t.Object({
	timezone: t.String(),
	daily_limit_minutes: t.Integer(),
	quiet_hours: t.Union([t.String(), t.Null()]),
	daily_token_budget: t.Integer(),
	play_reminder_minutes: t.Integer(),
	allowed_tools: t.Array(t.String()),
	retention_days: t.Integer(),
})

export const Settings = t.Object({
	settings: t.Object(fields, { description: 'what the family set; null = the default applies' }),
	effective: Effective,
})
