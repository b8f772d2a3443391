import { type Static, t } from 'elysia'

export const Check = t.Object({
	ok: t.Boolean(),
	kind: t.Optional(t.String({ description: 'postgres | embedded | redis | in-process | native | fallback' })),
	error: t.Optional(t.String()),
})

export const Health = t.Object({
	status: t.Union([t.Literal('ok'), t.Literal('degraded')]),
	version: t.String(),
	uptime_s: t.Number(),
	codec: t.Union([t.Literal('native'), t.Literal('fallback')]),
	connections: t.Integer(),
})

export const Ready = t.Object({
	ready: t.Boolean(),
	codec: t.Union([t.Literal('native'), t.Literal('fallback')]),
	provider: t.String(),
	checks: t.Object({ database: Check, redis: Check, codec: Check }),
})

export type CheckResult = Static<typeof Check>
export type ReadyBody = Static<typeof Ready>
