import { GatewayError } from '../../errors'
import type { AuditRepository } from '../../store/audit'
import type { FamilyChildRepository } from '../../store/family-children'
import type { ChildProgressView, FamilyProgressRepository, ProgrammeEpisode } from '../../store/family-progress'
import { audit } from '../access/audit'
import type { ParentPrincipal } from '../access/service'
import type { EpisodeBody, ProgressBody } from './model'

// Where a child is in the learning programme (seasons of episodes, sql/0003): what is done, what is
// current, what comes next. The toy moves a child on after an episode's answered turns, in order.

export interface ProgressDeps {
	children: FamilyChildRepository
	progress: FamilyProgressRepository
	audit: AuditRepository
}

export async function childProgress(d: ProgressDeps, p: ParentPrincipal, childId: string): Promise<ProgressBody> {
	const child = await d.children.get(p.familyId, childId)
	if (!child) throw new GatewayError('NOT_FOUND', 'no such child in your family')
	await audit(d.audit, p, 'progress.read', { childId })
	const [episodes, progress] = await Promise.all([d.progress.programme(child.age), d.progress.progress(childId)])
	return progressView(childId, episodes, progress)
}

export function progressView(childId: string, episodes: ProgrammeEpisode[], p: ChildProgressView | null): ProgressBody {
	const at = p ? episodes.findIndex((e) => e.id === p.episodeId) : -1
	// ? At the end of the programme the child stays on the last episode; once completed it counts as done.
	const lastDone = p !== null && at === episodes.length - 1 && p.episodesCompleted >= episodes.length
	const seasons: ProgressBody['seasons'] = []
	episodes.forEach((e, i) => {
		let season = seasons.at(-1)
		if (season?.id !== e.seasonId) {
			season = { id: e.seasonId, title: e.seasonTitle, episodes: [] }
			seasons.push(season)
		}
		const status: EpisodeBody['status'] = i < at || (i === at && lastDone) ? 'done' : i === at ? 'current' : 'upcoming'
		const turnsDone = status === 'done' ? e.turnsToComplete : status === 'current' ? (p?.turnsInEpisode ?? 0) : 0
		season.episodes.push({ id: e.id, title: e.title, status, turns_done: turnsDone, turns_to_complete: e.turnsToComplete })
	})
	return {
		child_id: childId,
		episodes_completed: p?.episodesCompleted ?? 0,
		current_episode_id: p?.episodeId ?? null,
		updated_at: p?.updatedAt.toISOString() ?? null,
		seasons,
	}
}
