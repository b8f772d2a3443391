import { t } from 'elysia'

const Day = t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, the family’s local day' })

export const UsageQuery = t.Object({
	from: t.Optional(Day),
	to: t.Optional(Day),
})

export const DayUsage = t.Object({
	day: t.String(),
	turns: t.Integer(),
	tokens_in: t.Integer(),
	tokens_out: t.Integer(),
	minutes: t.Number({ description: 'talk time: the child’s speech plus the toy’s' }),
	cost_usd: t.Number({ description: 'estimated from the configured prices' }),
})

export const UsageReport = t.Object({
	from: t.String(),
	to: t.String(),
	days: t.Array(DayUsage, { description: 'the whole family, newest first' }),
	devices: t.Array(t.Object({ device_id: t.String(), days: t.Array(DayUsage) })),
	total: t.Object({ turns: t.Integer(), minutes: t.Number(), cost_usd: t.Number() }),
	estimated: t.Literal(true, { description: 'tokens are estimated from text length until providers report them' }),
})
