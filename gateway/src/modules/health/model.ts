import { type Static, t } from 'elysia'

export const Check = t.Object({
	ok: t.Boolean(),
	kind: t.Optional(t.String({ description: 'postgres | embedded | redis | in-process | native | fallback' })),
	error: t.Optional(t.String()),
})

export const Writes = t.Object({
	ok: t.Boolean({ description: 'false when the backlog is full and new writes are refused' }),
	pending: t.Integer({ description: 'turn writes (messages, usage, alerts) not yet stored; grows while the database is down' }),
	waiting: t.Boolean({ description: 'writes are held until the database answers again' }),
	refused: t.Integer({ description: 'writes refused since start because the backlog was full' }),
	dropped: t.Integer({ description: 'writes the database refused for their content since start' }),
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
	checks: t.Object({ database: Check, redis: Check, codec: Check, writes: Writes }),
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
