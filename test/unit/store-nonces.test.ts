import { expect, test } from 'bun:test'
import { MemoryNonceStore } from '../../gateway/src/store/nonces'

test('memory nonces expire after their ttl', async () => {
	let now = 1_000_000
	const store = new MemoryNonceStore({ now: () => now })
	expect(await store.claim('bear', 'aa', 600)).toBe(true)
	now += 599_000
	expect(await store.claim('bear', 'aa', 600)).toBe(false)
	now += 2_000
	expect(await store.claim('bear', 'aa', 600)).toBe(true)
	await store.close()
})

test('the memory cache stays bounded and fails closed when full of live nonces', async () => {
	let now = 0
	const store = new MemoryNonceStore({ maxEntries: 3, now: () => now })
	for (const n of ['a', 'b', 'c']) expect(await store.claim('bear', n, 10)).toBe(true)
	expect(await store.claim('bear', 'd', 10)).toBe(false)
	expect(store.size).toBe(3)
	now += 11_000
	// expired entries are swept to make room
	expect(await store.claim('bear', 'd', 10)).toBe(true)
	expect(store.size).toBe(1)
	await store.close()
})

test('rejects a non-positive ttl', async () => {
	const store = new MemoryNonceStore()
	await expect(store.claim('bear', 'a', 0)).rejects.toThrow(RangeError)
	await store.close()
})
