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
	retention: t.Optional(
		t.Object(
			{
				last_run_at: t.Union([t.String({ format: 'date-time' }), t.Null()]),
				ok: t.Union([t.Boolean(), t.Null()]),
				error: t.Union([t.String(), t.Null()]),
			},
			{ description: 'the retention purge’s last run (any replica); null before the first' },
		),
	),
})

export type CheckResult = Static<typeof Check>
export type ReadyBody = Static<typeof Ready>
