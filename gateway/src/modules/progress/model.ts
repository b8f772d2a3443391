import { type Static, t } from 'elysia'

export const Episode = t.Object({
	id: t.Integer(),
	title: t.String(),
	status: t.Union([t.Literal('done'), t.Literal('current'), t.Literal('upcoming')]),
	turns_done: t.Integer({ description: 'answered turns in this episode so far' }),
	turns_to_complete: t.Integer(),
})

export const Progress = t.Object({
	child_id: t.String(),
	episodes_completed: t.Integer(),
	current_episode_id: t.Union([t.Integer(), t.Null()], { description: 'null until the child first talks' }),
	updated_at: t.Union([t.String({ format: 'date-time' }), t.Null()]),
	seasons: t.Array(t.Object({ id: t.Integer(), title: t.String(), episodes: t.Array(Episode) })),
})

export type EpisodeBody = Static<typeof Episode>
export type ProgressBody = Static<typeof Progress>
