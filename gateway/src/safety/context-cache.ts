import type { Usage } from '../store/usage'
import type { TurnContext } from './turn-context'

// The safety context (family rules, today's usage, lesson, memory) of each child-and-toy, kept
// between turns. Reading it took two database round trips before every answer could start, and
// under load their queueing set the p99 of the answer latency. A toy's own turns update the entry
// in place (usage, memory, lesson progress), so its next turn sees them at once; what other toys of
// the family used, and a parent's new settings, arrive at the next refresh.

const REFRESH_MS = 30_000
const MAX_ENTRIES = 20_000

export class ContextCache {
	private readonly entries = new Map<string, { ctx: TurnContext; at: number }>()

	private readonly loading = new Map<string, Promise<TurnContext>>()

	/**
	 * The context for `key`: the cached one (starting a background reload once it is older than
	 * REFRESH_MS), or, when there is none or it is for another local day, the one `load` brings.
	 * Concurrent callers share one load.
	 */
	obtain(key: string, now: number, dayNow: (ctx: TurnContext) => string, load: () => Promise<TurnContext>): TurnContext | Promise<TurnContext> {
		const e = this.entries.get(key)
		if (e && dayNow(e.ctx) === e.ctx.day) {
			// A failed refresh keeps the entry; the next turn tries again.
			if (now - e.at >= REFRESH_MS) this.reload(key, now, load).catch(() => {})
			return e.ctx
		}
		return this.reload(key, now, load)
	}

	private reload(key: string, now: number, load: () => Promise<TurnContext>): Promise<TurnContext> {
		const p = this.loading.get(key)
		if (p) return p
		const loading: Promise<TurnContext> = load()
			.then((ctx) => {
				// ! Not when forgetChild() ran meanwhile: a load begun before a deletion would bring the data back.
				if (this.loading.get(key) === loading) this.set(key, ctx, now)
				return ctx
			})
			.finally(() => {
				if (this.loading.get(key) === loading) this.loading.delete(key)
			})
		this.loading.set(key, loading)
		return loading
	}

	delete(key: string): void {
		this.entries.delete(key)
	}

	/** The child's data was deleted: every cached context of it (memory, lesson) goes, loads in flight too. */
	forgetChild(childId: string): number {
		const prefix = `${childId}|`
		let n = 0
		for (const k of [...this.entries.keys()]) if (k.startsWith(prefix) && this.entries.delete(k)) n++
		for (const k of [...this.loading.keys()]) if (k.startsWith(prefix)) this.loading.delete(k)
		return n
	}

	set(key: string, ctx: TurnContext, now: number): void {
		if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string)
		this.entries.set(key, { ctx, at: now })
	}

	/** Adds a finished turn's own writes to the cached context. */
	update(key: string, used: Usage, summary: string | undefined, progress: TurnContext['progress'] | undefined): void {
		const e = this.entries.get(key)
		if (!e) return
		const u = e.ctx.used
		e.ctx = {
			...e.ctx,
			used: {
				turns: u.turns + used.turns,
				tokensIn: u.tokensIn + used.tokensIn,
				tokensOut: u.tokensOut + used.tokensOut,
				audioInMs: u.audioInMs + used.audioInMs,
				audioOutMs: u.audioOutMs + used.audioOutMs,
			},
			summary: summary ?? e.ctx.summary,
			progress: progress === undefined ? e.ctx.progress : progress,
		}
	}
}
