import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from '../../gateway/src/store/rate-limits'
import { connectRedis, whenReady } from '../../gateway/src/store/redis'
import { requireEnv } from '../support/databases'

// Fixed-window limits (PROTOCOL.md §5) in memory and in real Redis: the count, the Retry-After a
// refusal carries, one budget shared by every replica on the same Redis, and what happens when
// Redis is unreachable (the limit keeps being counted, in process, without waiting on Redis).

const prefix = `teddy-test:${randomBytes(4).toString('hex')}:rl:`
let redis: Redis

beforeAll(async () => {
	redis = connectRedis(requireEnv('TEST_REDIS_URL'))
	expect(await whenReady(redis, 10_000)).toBe(true)
})
afterAll(async () => {
	if (!redis) return
	const keys = await redis.keys(`${prefix}*`)
	if (keys.length) await redis.del(...keys)
	await redis.quit()
})

const kinds: [string, (limit: number, windowMs: number) => RateLimiter][] = [
	['memory', (limit, windowMs) => new MemoryRateLimiter(limit, windowMs)],
	['redis', (limit, windowMs) => new RedisRateLimiter(redis, limit, windowMs, `${prefix}${randomBytes(3).toString('hex')}:`)],
]

describe.each(kinds)('%s rate limiter', (_name, make) => {
	test('allows the limit per key, then refuses with the seconds until the window ends', async () => {
		const limiter = make(3, 60_000)
		for (let i = 0; i < 3; i++) expect((await limiter.take('1.2.3.4')).allowed).toBe(true)
		const refused = await limiter.take('1.2.3.4')
		expect(refused.allowed).toBe(false)
		expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1)
		expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60)
		// another client has its own budget
		expect((await limiter.take('5.6.7.8')).allowed).toBe(true)
		// the boolean form agrees
		expect(await limiter.hit('1.2.3.4')).toBe(false)
		limiter.close?.()
	})
})

test('two replicas on one Redis share one budget', async () => {
	const shared = `${prefix}shared:`
	const a = new RedisRateLimiter(redis, 4, 60_000, shared)
	const b = new RedisRateLimiter(redis, 4, 60_000, shared)
	expect((await a.take('k')).allowed).toBe(true)
	expect((await b.take('k')).allowed).toBe(true)
	expect((await a.take('k')).allowed).toBe(true)
	expect((await b.take('k')).allowed).toBe(true)
	expect((await a.take('k')).allowed).toBe(false)
	expect((await b.take('k')).allowed).toBe(false)
	a.close()
	b.close()
})

test('with Redis unreachable the limit is still counted, in process, and no call waits on Redis', async () => {
	const nowhere = connectRedis('redis://127.0.0.1:1/0')
	const limiter = new RedisRateLimiter(nowhere, 2, 60_000, `${prefix}down:`)
	try {
		const verdicts = await Promise.all([limiter.take('k'), limiter.take('k'), limiter.take('k')])
		expect(verdicts.map((v) => v.allowed)).toEqual([true, true, false])
		expect(verdicts[2].retryAfterSeconds).toBeGreaterThanOrEqual(1)
	} finally {
		limiter.close()
		nowhere.disconnect()
	}
})
