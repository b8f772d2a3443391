import { expect, test } from 'bun:test'
import { GatewayError } from '../../gateway/src/errors'
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

test('each device has its own bounded share: a full device is refused, never another device', async () => {
	let now = 0
	const store = new MemoryNonceStore({ maxPerDevice: 3, now: () => now })
	for (const n of ['a', 'b', 'c']) expect(await store.claim('flooder', n, 10)).toBe(true)
	// the flooder's fourth live nonce would allow a replay if an old one were forgotten: refused
	const full = await store.claim('flooder', 'd', 10).catch((e: unknown) => e)
	expect(full).toBeInstanceOf(GatewayError)
	expect((full as GatewayError).code).toBe('RATE_LIMITED')
	expect((full as GatewayError).retryAfterSeconds).toBeGreaterThan(0)
	// every other toy still gets its tokens through, however full the flooder is
	for (let i = 0; i < 100; i++) expect(await store.claim(`toy-${i}`, 'a', 10)).toBe(true)
	// and replays are still caught on both sides
	expect(await store.claim('flooder', 'a', 10)).toBe(false)
	expect(await store.claim('toy-7', 'a', 10)).toBe(false)
	now += 11_000
	// the flooder's share frees itself as its nonces expire
	expect(await store.claim('flooder', 'd', 10)).toBe(true)
	await store.close()
})

test('expired nonces and emptied devices are swept', async () => {
	let now = 0
	const store = new MemoryNonceStore({ maxPerDevice: 5, now: () => now })
	for (let i = 0; i < 50; i++) await store.claim(`toy-${i}`, 'a', 10)
	expect(store.size).toBe(50)
	expect(store.devices).toBe(50)
	now += 11_000
	store.sweep()
	expect(store.size).toBe(0)
	expect(store.devices).toBe(0)
	await store.close()
})

test('rejects a non-positive ttl', async () => {
	const store = new MemoryNonceStore()
	await expect(store.claim('bear', 'a', 0)).rejects.toThrow(RangeError)
	await store.close()
})
