import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { GatewayError } from '../../gateway/src/errors'
import { MemoryNonceStore, type NonceStore, RedisNonceStore } from '../../gateway/src/store/nonces'
import { connectRedis, isRedisReady, whenReady } from '../../gateway/src/store/redis'
import { requireEnv } from '../support/databases'

// Each run uses its own key prefix so parallel files and reruns never see each other's nonces.
const prefix = `teddy-test:${randomBytes(4).toString('hex')}:nonce:`
let redis: Redis

beforeAll(async () => {
	redis = connectRedis(requireEnv('TEST_REDIS_URL'))
	// commands fail instead of queueing while the client is not connected
	expect(await whenReady(redis, 10_000)).toBe(true)
})
afterAll(async () => {
	if (!redis) return
	const keys = await redis.keys(`${prefix}*`)
	if (keys.length) await redis.del(...keys)
	await redis.quit()
})

const stores: [string, () => NonceStore][] = [
	['memory', () => new MemoryNonceStore()],
	['redis', () => new RedisNonceStore(redis, prefix)],
]

describe.each(stores)('%s nonce store', (_name, make) => {
	test('accepts a nonce once and refuses its replay', async () => {
		const store = make()
		const nonce = randomBytes(16).toString('hex')
		expect(await store.claim('bear-1', nonce, 600)).toBe(true)
		expect(await store.claim('bear-1', nonce, 600)).toBe(false)
		await store.close()
	})

	test('keeps devices apart: the same nonce from another device is accepted', async () => {
		const store = make()
		const nonce = randomBytes(16).toString('hex')
		expect(await store.claim('bear-1', nonce, 600)).toBe(true)
		expect(await store.claim('bear-2', nonce, 600)).toBe(true)
		// a separator inside the id cannot make two different pairs collide
		expect(await store.claim('a:b', `c${nonce}`, 600)).toBe(true)
		expect(await store.claim('a', `b:c${nonce}`, 600)).toBe(true)
		await store.close()
	})
})

test('the redis nonce expires with its ttl', async () => {
	const store = new RedisNonceStore(redis, prefix)
	const nonce = randomBytes(16).toString('hex')
	expect(await store.claim('bear-ttl', nonce, 1)).toBe(true)
	const ttl = await redis.ttl(`${prefix}8:bear-ttl:${nonce}`)
	expect(ttl).toBeGreaterThan(0)
	expect(ttl).toBeLessThanOrEqual(1)
})

test('reports redis readiness, and not-ready for a server that is not there', async () => {
	expect(await isRedisReady(redis)).toBe(true)
	const nowhere = connectRedis('redis://127.0.0.1:1/0')
	try {
		expect(await isRedisReady(nowhere, 300)).toBe(false)
	} finally {
		nowhere.disconnect()
	}
})

test('the redis nonce store refuses with UNAVAILABLE, at once, when Redis is unreachable', async () => {
	const nowhere = connectRedis('redis://127.0.0.1:1/0')
	try {
		const err = await new RedisNonceStore(nowhere, prefix).claim('bear-down', randomBytes(16).toString('hex'), 600).catch((e: unknown) => e)
		expect(err).toBeInstanceOf(GatewayError)
		expect((err as GatewayError).code).toBe('UNAVAILABLE')
	} finally {
		nowhere.disconnect()
	}
})
