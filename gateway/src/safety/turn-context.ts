// What the safety layer reads before a turn: the family's rules, today's usage, the child's lesson
// and memory. Read in parallel; if the database is down the turn goes on with the configured
// defaults (the session cannot store anything either, and a toy that falls silent helps no one).

import type { ChildProfile } from '../ai/provider'
import type { Logger } from '../obs/logger'
import { NO_USAGE, type Progress, type SafetyStore, type Usage } from '../store/safety'
import { budgetLine, dailyLimitLine, quietHoursLine } from './fixed-lines'
import { inQuietHours, localDay, type Policy, policyFor, type SafetyDefaults } from './policy'

export interface TurnContext {
	policy: Policy
	/** The family-local day this turn is counted on. */
	day: string
	used: Usage
	progress: Progress | null
	summary: string | null
}

export async function loadTurnContext(
	store: SafetyStore,
	defaults: SafetyDefaults,
	child: ChildProfile,
	deviceId: string | undefined,
	now: number,
	log: Logger,
): Promise<TurnContext> {
	const childId = child.id
	try {
		const [family, progress, summary] = await Promise.all([
			childId ? store.families.ofChild(childId) : null,
			childId ? store.programme.current(childId, child.age) : null,
			childId ? store.summaries.get(childId) : null,
		])
		const policy = policyFor(family, defaults)
		const day = localDay(policy.timezone, now)
		// ? A family is budgeted as a whole; a toy with no family (unpaired, or a seed child) on its own.
		const used = policy.familyId
			? await store.usage.get('family', policy.familyId, day)
			: deviceId
				? await store.usage.get('device', deviceId, day)
				: { ...NO_USAGE }
		return { policy, day, used, progress, summary }
	} catch (err) {
		log.error({ err: (err as Error).message }, 'safety context unavailable; using defaults for this turn')
		const policy = policyFor(null, defaults)
		return { policy, day: localDay(policy.timezone, now), used: { ...NO_USAGE }, progress: null, summary: null }
	}
}

/** The line that replaces the whole turn when the toy may not talk now, or undefined. */
export function closedLine(ctx: TurnContext, now: number): string | undefined {
	const { policy, used } = ctx
	if (inQuietHours(policy.quietHours, policy.timezone, now)) return quietHoursLine
	if (policy.dailyLimitMinutes > 0 && used.audioInMs + used.audioOutMs >= policy.dailyLimitMinutes * 60_000) {
		return dailyLimitLine
	}
	if (policy.dailyTokenBudget > 0 && used.tokensIn + used.tokensOut >= policy.dailyTokenBudget) return budgetLine
	return undefined
}
