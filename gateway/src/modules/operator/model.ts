import { t } from 'elysia'

const Title = t.String({ minLength: 1, maxLength: 80 })
const Age = t.Integer({ minimum: 3, maximum: 13 })
const Position = t.Integer({ minimum: 1, maximum: 1000 })
const Goal = t.String({ minLength: 10, maxLength: 300, description: 'one line; appended to the system prompt while the episode is current' })
const Turns = t.Integer({ minimum: 1, maximum: 200 })

export const NewSeason = t.Object({ position: Position, title: Title, min_age: Age, max_age: Age })
export const SeasonPatch = t.Partial(NewSeason)
export const NewEpisode = t.Object({ season_id: t.Integer({ minimum: 1 }), position: Position, title: Title, lesson_goal: Goal, turns_to_complete: Turns })
export const EpisodePatch = t.Partial(t.Object({ position: Position, title: Title, lesson_goal: Goal, turns_to_complete: Turns }))

export const Episode = t.Object({
	id: t.Integer(),
	season_id: t.Integer(),
	position: t.Integer(),
	title: t.String(),
	lesson_goal: t.String(),
	turns_to_complete: t.Integer(),
})
export const Season = t.Object({
	id: t.Integer(),
	position: t.Integer(),
	title: t.String(),
	min_age: t.Integer(),
	max_age: t.Integer(),
	episodes: t.Array(Episode),
})
export const Programme = t.Object({ seasons: t.Array(Season) })
export const NumericId = t.Object({ id: t.Numeric({ minimum: 1, maximum: 32767 }) })

export const Reason = t.Object({ reason: t.String({ minLength: 10, maxLength: 500, description: 'why: kept in the audit log' }) })
export const DeviceParams = t.Object({ id: t.String({ maxLength: 64 }) })
export const DeviceAction = t.Object({ device_id: t.String(), disconnected: t.Boolean(), revoked: t.Boolean() })

export const Connections = t.Object({
	node_only: t.Literal(true, { description: 'toys connected to this gateway replica' }),
	connections: t.Array(
		t.Object({
			device_id: t.String(),
			protocol: t.String(),
			ip: t.String(),
			connected_at: t.String({ format: 'date-time' }),
			last_frame_at: t.String({ format: 'date-time' }),
		}),
	),
})
