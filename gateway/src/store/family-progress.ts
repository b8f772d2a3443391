import type postgres from 'postgres'

// A child's place in the learning programme, and the programme for its age, as a parent sees it.

export interface ProgrammeEpisode {
	id: number
	seasonId: number
	seasonTitle: string
	title: string
	turnsToComplete: number
}

export interface ChildProgressView {
	episodeId: number
	turnsInEpisode: number
	episodesCompleted: number
	updatedAt: Date
}

export class FamilyProgressRepository {
	constructor(private readonly sql: postgres.Sql) {}

	/** Every episode for this age, in programme order (season position, episode position). */
	async programme(age: number): Promise<ProgrammeEpisode[]> {
		const rows = await this.sql<{ id: number; season_id: number; season_title: string; title: string; turns_to_complete: number }[]>`
			select e.id, e.season_id, s.title as season_title, e.title, e.turns_to_complete
			from episodes e join seasons s on s.id = e.season_id
			where ${age} between s.min_age and s.max_age
			order by s.position, e.position
		`
		return rows.map((r) => ({ id: r.id, seasonId: r.season_id, seasonTitle: r.season_title, title: r.title, turnsToComplete: r.turns_to_complete }))
	}

	async progress(childId: string): Promise<ChildProgressView | null> {
		const [row] = await this.sql<{ episode_id: number; turns_in_episode: number; episodes_completed: number; updated_at: Date }[]>`
			select episode_id, turns_in_episode, episodes_completed, updated_at from child_progress where child_id = ${childId}
		`
		return row ? { episodeId: row.episode_id, turnsInEpisode: row.turns_in_episode, episodesCompleted: row.episodes_completed, updatedAt: row.updated_at } : null
	}
}
