import type { HistoryEntry } from '../ai/provider'
import type { HotCounters } from '../obs/metrics'
import type { Logger } from '../obs/logger'
import type { FieldCipher } from '../store/crypto'
import type { FleetRedis } from '../store/fleet-redis'
import { ResumeCache, type SessionContext } from './resume-cache'

// Where a toy's conversation context waits for it to come back, on this node or any other:
//   - this node's memory first (a quick reconnect usually lands here, and a toy replaced by its
//     own newer connection resumes synchronously);
//   - Redis for the fleet: written after every turn (so a node killed with -9 has left it
//     behind), kept alive by the node's presence refresh while the toy is connected, and given
//     the resume window when it disconnects. Sealed with the field cipher: a child's words are
//     never in Redis as plain text. Taken once (GETDEL), so only one node resumes it.
// Without Redis, or while it is unreachable, only the memory level works.

// ! Per toy and child: a toy that comes back as another child never resumes the last one's words.
export interface ResumeStore {
	/** Context kept in Redis for this toy and child, fetched before its session is built (async). */
	fetch(deviceId: string, childId: string): Promise<SessionContext | undefined>
	/** This node's own copy (sync; the toy reconnected here), else what fetch() returned. */
	take(deviceId: string, childId: string, fetched: SessionContext | undefined): SessionContext | undefined
	/** After each turn: the fleet copy, alive while the node holds the toy. */
	checkpoint(deviceId: string, childId: string, ctx: SessionContext): void
	/** The socket closed: kept for the resume window. */
	park(deviceId: string, childId: string, ctx: SessionContext): void
	/** The child's data was deleted: nothing of its conversation may come back on a reconnect. */
	drop(deviceId: string, childId: string): void
}

export interface FleetResumeOptions {
	redis?: FleetRedis
	cipher: FieldCipher
	windowMs: number
	/** How long a live toy's checkpoint lasts unless the node refreshes it (the presence TTL). */
	liveTtlMs: number
	log: Logger
	counters?: HotCounters
}

interface Stored {
	/** The child this conversation was with. */
	c: string
	h: readonly HistoryEntry[]
	s: number
	t: number
}

export class FleetResumeStore implements ResumeStore {
	private readonly local: ResumeCache

	constructor(private readonly o: FleetResumeOptions) {
		this.local = new ResumeCache(o.windowMs)
	}

	async fetch(deviceId: string, childId: string): Promise<SessionContext | undefined> {
		if (!this.o.redis) return undefined
		const sealed = await this.o.redis.takeContext(deviceId)
		if (!sealed) return undefined
		try {
			const [keyId, nonce, ciphertext] = sealed.split('.')
			const plain = this.o.cipher.decrypt({ keyId, nonce: Buffer.from(nonce, 'base64'), ciphertext: Buffer.from(ciphertext, 'base64') }, aad(deviceId))
			const v = JSON.parse(plain) as Stored
			// ? Another child's conversation on this toy is not resumed (and, taken, is gone).
			return v.c === childId ? { history: v.h, startedAt: v.s, turns: v.t } : undefined
		} catch (err) {
			// ? A context sealed under a key this node no longer has costs the toy its short-term memory only.
			this.o.log.warn({ err: (err as Error).message }, 'resume context could not be opened; starting afresh')
			return undefined
		}
	}

	take(deviceId: string, childId: string, fetched: SessionContext | undefined): SessionContext | undefined {
		const mine = this.local.take(`${deviceId}|${childId}`)
		// ? A toy that went A → B → A within the window: the later conversation has more turns.
		const ctx = mine && (!fetched || mine.turns >= fetched.turns) ? mine : fetched
		if (ctx && this.o.counters) this.o.counters.resumed[ctx === mine ? 'local' : 'redis']++
		return ctx
	}

	checkpoint(deviceId: string, childId: string, ctx: SessionContext): void {
		this.save(deviceId, childId, ctx, this.o.liveTtlMs)
	}

	park(deviceId: string, childId: string, ctx: SessionContext): void {
		this.local.park(`${deviceId}|${childId}`, ctx)
		this.save(deviceId, childId, ctx, this.o.windowMs)
	}

	drop(deviceId: string, childId: string): void {
		this.local.drop(`${deviceId}|${childId}`)
		// ? Redis holds one context per toy; whichever child it was with, it goes (short-term memory only).
		void this.o.redis?.dropContext(deviceId)
	}

	private save(deviceId: string, childId: string, ctx: SessionContext, ttlMs: number): void {
		const redis = this.o.redis
		if (!redis || !redis.healthy || ctx.history.length === 0) return
		const stored: Stored = { c: childId, h: ctx.history, s: ctx.startedAt, t: ctx.turns }
		const sealed = this.o.cipher.encrypt(JSON.stringify(stored), aad(deviceId))
		const text = `${sealed.keyId}.${Buffer.from(sealed.nonce).toString('base64')}.${Buffer.from(sealed.ciphertext).toString('base64')}`
		void redis.saveContext(deviceId, text, ttlMs)
	}
}

// The device id as associated data: a context copied onto another toy's key fails to open.
const aad = (deviceId: string) => `resume|${deviceId}`
