import type { HistoryEntry } from '../ai/provider'

// A toy that drops and reconnects within the window (Wi-Fi blip, brown-out) keeps its
// conversation: the context is parked here when its socket closes and taken by the next session
// of the same device with the same child (the key names both: open-session.ts). In memory: the reconnect usually lands on the same gateway, and a miss
// only costs the toy its short-term context, never stored data.

export interface SessionContext {
	history: readonly HistoryEntry[]
	startedAt: number
	turns: number
}

export class ResumeCache {
	private readonly parked = new Map<string, { ctx: SessionContext; expiresAt: number }>()

	constructor(
		private readonly windowMs = 30_000,
		private readonly now: () => number = Date.now,
	) {}

	park(key: string, ctx: SessionContext): void {
		this.prune()
		this.parked.set(key, { ctx, expiresAt: this.now() + this.windowMs })
	}

	/** The context parked under `key` if it is still fresh; taken only once. */
	take(key: string): SessionContext | undefined {
		const entry = this.parked.get(key)
		if (!entry) return undefined
		this.parked.delete(key)
		return entry.expiresAt > this.now() ? entry.ctx : undefined
	}

	/** The child's data was deleted: its short-term context must not come back on a reconnect. */
	drop(key: string): void {
		this.parked.delete(key)
	}

	get size(): number {
		return this.parked.size
	}

	private prune(): void {
		const now = this.now()
		for (const [k, v] of this.parked) if (v.expiresAt <= now) this.parked.delete(k)
	}
}
