import type postgres from 'postgres'

// The learning programme as operators edit it (sql/0003): seasons of episodes. Database errors
// that mean "your change conflicts" come back as outcomes, not exceptions.

export interface SeasonRow {
	id: number
	position: number
	title: string
	minAge: number
	maxAge: number
	episodes: EpisodeRow[]
}

export interface EpisodeRow {
	id: number
	seasonId: number
	position: number
	title: string
	lessonGoal: string
	turnsToComplete: number
}

export type SeasonFields = Omit<SeasonRow, 'id' | 'episodes'>
export type EpisodeFields = Omit<EpisodeRow, 'id'>

/** What a write did: the row, no such row, or a conflict (taken position, children on it, unknown season). */
export type Written<T> = { ok: true; row: T } | { ok: false; reason: 'not_found' | 'position_taken' | 'in_use' | 'no_season' }

const PG_UNIQUE = '23505'
const PG_FOREIGN_KEY = '23503'

function conflict(err: unknown): 'position_taken' | 'in_use' | null {
	const code = (err as { code?: string }).code
	if (code === PG_UNIQUE) return 'position_taken'
	if (code === PG_FOREIGN_KEY) return 'in_use'
	return null
}

interface SRow {
	id: number
	position: number
	title: string
	min_age: number
	max_age: number
}
interface ERow {
	id: number
	season_id: number
	position: number
	title: string
	lesson_goal: string
	turns_to_complete: number
}

const toEpisode = (e: ERow): EpisodeRow => ({
	id: e.id,
	seasonId: e.season_id,
	position: e.position,
	title: e.title,
	lessonGoal: e.lesson_goal,
	turnsToComplete: e.turns_to_complete,
})
const toSeason = (s: SRow, episodes: EpisodeRow[]): SeasonRow => ({
	id: s.id,
	position: s.position,
	title: s.title,
	minAge: s.min_age,
	maxAge: s.max_age,
	episodes,
})

export class ProgrammeAdminRepository {
	constructor(private readonly sql: postgres.Sql) {}

	async list(): Promise<SeasonRow[]> {
		const [seasons, episodes] = await Promise.all([
			this.sql<SRow[]>`select * from seasons order by position`,
			this.sql<ERow[]>`select * from episodes order by season_id, position`,
		])
		return seasons.map((s) => toSeason(s, episodes.filter((e) => e.season_id === s.id).map(toEpisode)))
	}

	async createSeason(f: SeasonFields): Promise<Written<SeasonRow>> {
		return this.write(async () => {
			const [s] = await this.sql<SRow[]>`
				insert into seasons (id, position, title, min_age, max_age)
				values ((select coalesce(max(id), 0) + 1 from seasons), ${f.position}, ${f.title}, ${f.minAge}, ${f.maxAge})
				returning *
			`
			return toSeason(s!, [])
		})
	}

	async updateSeason(id: number, f: Partial<SeasonFields>): Promise<Written<SeasonRow>> {
		return this.write(async () => {
			const [s] = await this.sql<SRow[]>`
				update seasons set position = coalesce(${f.position ?? null}::smallint, position), title = coalesce(${f.title ?? null}, title),
					min_age = coalesce(${f.minAge ?? null}::smallint, min_age), max_age = coalesce(${f.maxAge ?? null}::smallint, max_age)
				where id = ${id} returning *
			`
			if (!s) return null
			const eps = await this.sql<ERow[]>`select * from episodes where season_id = ${id} order by position`
			return toSeason(s, eps.map(toEpisode))
		})
	}

	async deleteSeason(id: number): Promise<Written<{ id: number }>> {
		return this.write(async () => ((await this.sql`delete from seasons where id = ${id}`).count > 0 ? { id } : null))
	}

	async createEpisode(f: EpisodeFields): Promise<Written<EpisodeRow>> {
		const [season] = await this.sql`select 1 from seasons where id = ${f.seasonId}`
		if (!season) return { ok: false, reason: 'no_season' }
		return this.write(async () => {
			const [e] = await this.sql<ERow[]>`
				insert into episodes (id, season_id, position, title, lesson_goal, turns_to_complete)
				values ((select coalesce(max(id), 0) + 1 from episodes), ${f.seasonId}, ${f.position}, ${f.title}, ${f.lessonGoal}, ${f.turnsToComplete})
				returning *
			`
			return toEpisode(e!)
		})
	}

	async updateEpisode(id: number, f: Partial<Omit<EpisodeFields, 'seasonId'>>): Promise<Written<EpisodeRow>> {
		return this.write(async () => {
			const [e] = await this.sql<ERow[]>`
				update episodes set position = coalesce(${f.position ?? null}::smallint, position), title = coalesce(${f.title ?? null}, title),
					lesson_goal = coalesce(${f.lessonGoal ?? null}, lesson_goal),
					turns_to_complete = coalesce(${f.turnsToComplete ?? null}::smallint, turns_to_complete)
				where id = ${id} returning *
			`
			return e ? toEpisode(e) : null
		})
	}

	async deleteEpisode(id: number): Promise<Written<{ id: number }>> {
		return this.write(async () => ((await this.sql`delete from episodes where id = ${id}`).count > 0 ? { id } : null))
	}

	private async write<T>(fn: () => Promise<T | null>): Promise<Written<T>> {
		try {
			const row = await fn()
			return row === null ? { ok: false, reason: 'not_found' } : { ok: true, row }
		} catch (err) {
			const reason = conflict(err)
			if (reason) return { ok: false, reason }
			throw err
		}
	}
}
