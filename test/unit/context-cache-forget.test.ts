import { expect, test } from 'bun:test'
import { ContextCache } from '../../gateway/src/safety/context-cache'
import type { TurnContext } from '../../gateway/src/safety/turn-context'

// Forgetting a deleted child's safety context: every entry of the child goes, and a load that was
// in flight when the data was deleted does not put the old context back.

const ctx = (summary: string): TurnContext => ({
	policy: { timezone: 'UTC' } as TurnContext['policy'],
	day: '2026-11-23',
	used: { turns: 0, tokensIn: 0, tokensOut: 0, audioInMs: 0, audioOutMs: 0 },
	progress: null,
	summary,
})
const day = () => '2026-11-23'

test('forgetChild drops the child’s entries on every toy and no other child’s', async () => {
	const cache = new ContextCache()
	await cache.obtain('c1|toy-a', 0, day, async () => ctx('a'))
	await cache.obtain('c1|toy-b', 0, day, async () => ctx('b'))
	await cache.obtain('c2|toy-a', 0, day, async () => ctx('other'))
	expect(cache.forgetChild('c1')).toBe(2)
	let loads = 0
	const fresh = await cache.obtain('c1|toy-a', 1, day, async () => (loads++, ctx('fresh')))
	expect(fresh.summary).toBe('fresh')
	expect(loads).toBe(1)
	expect((cache.obtain('c2|toy-a', 1, day, async () => ctx('reloaded')) as TurnContext).summary).toBe('other')
})

test('a load in flight when the child is forgotten is not cached', async () => {
	const cache = new ContextCache()
	let release: () => void = () => {}
	const slow = cache.obtain('c1|toy', 0, day, () => new Promise<TurnContext>((r) => (release = () => r(ctx('stale')))))
	cache.forgetChild('c1')
	release()
	expect((await slow).summary).toBe('stale') // the turn that asked still gets its answer
	const next = await cache.obtain('c1|toy', 1, day, async () => ctx('after deletion'))
	expect(next.summary).toBe('after deletion')
})
