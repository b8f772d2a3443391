import type postgres from 'postgres'
import { transaction, type Tx } from './transaction'

// The learning programme: seasons of episodes, each with a lesson goal for the system prompt, and
// where each child is in it. An episode is done after a fixed number of answered turns in it; a
// "lesson complete" marker in the model's text would be easy to miss or to fake.

export interface Episode {
	id: number
	seasonId: number
	seasonTitle: string
	title: string
	lessonGoal: string
	turnsToComplete: number
}

export interface Progress {
	episode: Episode
	turnsInEpisode: number
	episodesCompleted: number
}

interface EpisodeRow {
	id: number
	season_id: number
	season_title: string
	title: string
	lesson_goal: string
	turns_to_complete: number
}

interface ProgressRow extends EpisodeRow {
	turns_in_episode: number
	episodes_completed: number
}

const toEpisode = (r: EpisodeRow): Episode => ({
	id: r.id,
	seasonId: r.season_id,
	seasonTitle: r.season_title,
	title: r.title,
	lessonGoal: r.lesson_goal,
	turnsToComplete: r.turns_to_complete,
})

export class ProgrammeRepository {
	constructor(private readonly sql: postgres.Sql) {}

	/** Where the child is; a child new to the programme starts at the first episode for its age. */
	async current(childId: string, age: number): Promise<Progress | null> {
		const found = await this.read(this.sql, childId)
		if (found) return found
		const first = await this.nextEpisode(this.sql, age, null)
		if (!first) return null
		await this.sql`
			insert into child_progress (child_id, episode_id) values (${childId}, ${first.id})
			on conflict (child_id) do nothing
		`
		return this.read(this.sql, childId)
	}

	/** Counts an answered turn; at the episode's count the child moves on. Returns the progress after. */
	async countTurn(childId: string, age: number): Promise<Progress | null> {
		return transaction(this.sql, async (tx) => {
			await tx`select 1 from child_progress where child_id = ${childId} for update`
			const p = await this.read(tx, childId)
			if (!p) return null
			const turns = p.turnsInEpisode + 1
			if (turns < p.episode.turnsToComplete) {
				await tx`update child_progress set turns_in_episode = ${turns}, updated_at = now() where child_id = ${childId}`
				return { ...p, turnsInEpisode: turns }
			}
			const next = await this.nextEpisode(tx, age, p.episode)
			// ? At the end of the programme the child stays on the last episode, which keeps its goal.
			await tx`
				update child_progress set episode_id = ${next?.id ?? p.episode.id}, turns_in_episode = 0,
					episodes_completed = episodes_completed + 1, updated_at = now()
				where child_id = ${childId}
			`
			return this.read(tx, childId)
		})
	}

	private async read(sql: Tx, childId: string): Promise<Progress | null> {
		const [row] = await sql<ProgressRow[]>`
			select e.id, e.season_id, s.title as season_title, e.title, e.lesson_goal, e.turns_to_complete,
				p.turns_in_episode, p.episodes_completed
			from child_progress p join episodes e on e.id = p.episode_id join seasons s on s.id = e.season_id
			where p.child_id = ${childId}
		`
		if (!row) return null
		return { episode: toEpisode(row), turnsInEpisode: row.turns_in_episode, episodesCompleted: row.episodes_completed }
	}

	// The episode after `after` in programme order (season position, episode position) among seasons
	// for this age; the very first when `after` is null.
	private async nextEpisode(
		sql: Tx,
		age: number,
		after: Episode | null,
	): Promise<Episode | null> {
		const rows = await sql<(EpisodeRow & { season_position: number; position: number })[]>`
			select e.id, e.season_id, s.title as season_title, e.title, e.lesson_goal, e.turns_to_complete,
				s.position as season_position, e.position
			from episodes e join seasons s on s.id = e.season_id
			where ${age} between s.min_age and s.max_age
			order by s.position, e.position
		`
		if (!after) return rows[0] ? toEpisode(rows[0]) : null
		const at = rows.findIndex((r) => r.id === after.id)
		const next = at >= 0 ? rows[at + 1] : undefined
		return next ? toEpisode(next) : null
	}
}
