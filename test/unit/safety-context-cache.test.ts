import { describe, expect, test } from 'bun:test'
import { ContextCache } from '../../gateway/src/safety/context-cache'
import type { TurnContext } from '../../gateway/src/safety/turn-context'

// The safety context must never hold up an answer once a toy has talked: a stale entry answers
// while it reloads, and concurrent turns share one load.

function ctx(day: string, turns: number): TurnContext {
	return {
		policy: { timezone: 'UTC' } as TurnContext['policy'],
		day,
		used: { turns, tokensIn: 0, tokensOut: 0, tokensEstimated: 0, audioInMs: 0, audioOutMs: 0 },
		progress: null,
		summary: null,
	}
}

function loader(result: () => TurnContext) {
	let calls = 0
	let release: () => void = () => {}
	const gate = () => new Promise<void>((r) => (release = r))
	const load = async () => {
		calls++
		await gate()
		return result()
	}
	return { load, calls: () => calls, release: () => release() }
}

const today = () => '2026-11-23'

describe('safety context cache', () => {
	test('the first turn waits for one load that concurrent turns share', async () => {
		const cache = new ContextCache()
		const l = loader(() => ctx('2026-11-23', 1))
		const a = cache.obtain('k', 0, today, l.load)
		const b = cache.obtain('k', 0, today, l.load)
		expect(a).toBeInstanceOf(Promise)
		l.release()
		expect((await a).used.turns).toBe(1)
		expect((await b).used.turns).toBe(1)
		expect(l.calls()).toBe(1)
		// Now cached: no promise, no load.
		expect((cache.obtain('k', 1000, today, l.load) as TurnContext).used.turns).toBe(1)
		expect(l.calls()).toBe(1)
	})

	test('a stale entry answers at once and is reloaded in the background', async () => {
		const cache = new ContextCache()
		cache.set('k', ctx('2026-11-23', 1), 0)
		const l = loader(() => ctx('2026-11-23', 7))
		const stale = cache.obtain('k', 31_000, today, l.load)
		expect(stale).not.toBeInstanceOf(Promise)
		expect((stale as TurnContext).used.turns).toBe(1)
		expect(l.calls()).toBe(1)
		// A second turn during the reload starts no other load.
		cache.obtain('k', 31_500, today, l.load)
		expect(l.calls()).toBe(1)
		l.release()
		await Bun.sleep(0)
		expect((cache.obtain('k', 32_000, today, l.load) as TurnContext).used.turns).toBe(7)
		expect(l.calls()).toBe(1)
	})

	test('an entry of another local day is not used: the turn waits for today', async () => {
		const cache = new ContextCache()
		cache.set('k', ctx('2026-11-22', 50), 0)
		const l = loader(() => ctx('2026-11-23', 0))
		const next = cache.obtain('k', 1000, today, l.load)
		expect(next).toBeInstanceOf(Promise)
		l.release()
		expect((await next).used.turns).toBe(0)
	})

	test('a failed load is not cached: the next turn tries again', async () => {
		const cache = new ContextCache()
		let n = 0
		const load = async () => {
			n++
			if (n === 1) throw new Error('db down')
			return ctx('2026-11-23', 3)
		}
		await expect(cache.obtain('k', 0, today, load) as Promise<TurnContext>).rejects.toThrow('db down')
		expect(((await cache.obtain('k', 0, today, load)) as TurnContext).used.turns).toBe(3)
	})
})
