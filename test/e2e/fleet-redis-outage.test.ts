import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { command, commandUntil, fleetEnv, operatorToken, startNode, uniqueId, waitForLog, waitForMetric, xiaozhiToy } from '../support/fleet'
import type { GatewayProcess } from '../support/gateway-process'
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis'
import { seedUrl } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// Redis stopped under two gateways, then started again (empty, as a replaced Redis pod is): the
// nodes say so once in the log and in teddy_redis_degraded, stay ready, keep their toys talking
// and keep taking new toys that hold a device JWT (a v2 token needs the fleet's shared replay
// cache and gets 1011 UNAVAILABLE meanwhile: test/e2e/redis-outage.test.ts); rate limits count in
// process. When Redis is back they rebuild presence by themselves and cross-node commands work again.

let db: TestDatabase
let redis: PrivateRedis
let a: GatewayProcess
let b: GatewayProcess
let op: string

beforeAll(async () => {
	db = await createTestDatabase()
	redis = await startPrivateRedis()
	const env = fleetEnv({ DATABASE_URL: db.url, REDIS_URL: redis.url })
	;[a, b] = await Promise.all([startNode(env, 'a'), startNode(env, 'b')])
	op = await operatorToken(a, env)
})

afterAll(async () => {
	await Promise.all([a?.stop(), b?.stop()])
	await redis?.stop()
	await db?.drop()
})

async function talk(toy: TestSocket, text: string): Promise<void> {
	const before = toy.messages.length
	toy.send({ type: 'text', text })
	await toy.waitFor((m) => m.type === 'audio_response' && m.final === true && toy.messages.indexOf(m) >= before, 30_000)
}

describe('Redis stopped and restarted', () => {
	test('nodes degrade to node-local state, keep serving, and recover by themselves', async () => {
		const held = uniqueId('outage-held')
		const toy = await xiaozhiToy(a, held)
		expect((await commandUntil(b, op, held, { type: 'send', message: { type: 'system', command: 'reboot' } }, 200)).body).toEqual({ delivered: 'remote' })
		const seed = new TestSocket(seedUrl(a.wsUrl, { device_id: uniqueId('outage-seed') }))
		await seed.opened
		await waitForMetric(a, 'teddy_redis_degraded', 0)
		// a toy that checked in (OTA) before the outage holds a device JWT: it needs no replay cache
		const jwtId = uniqueId('outage-jwt')
		const ota = await fetch(`${b.url}/xiaozhi/ota/`, {
			method: 'POST',
			headers: { 'Device-Id': jwtId, 'Client-Id': `${jwtId}-client`, 'Content-Type': 'application/json' },
			body: '{}',
		})
		const jwt = ((await ota.json()) as { websocket: { token: string } }).websocket.token

		await redis.stop()
		await waitForMetric(a, 'teddy_redis_degraded', 1)
		await waitForMetric(b, 'teddy_redis_degraded', 1)
		await waitForLog(a, 'redis unreachable: running on node-local state')

		// still ready: taking every node out of service would refuse the whole fleet
		const ready = await fetch(`${a.url}/health/ready`)
		expect(ready.status).toBe(200)
		const body = (await ready.json()) as { checks: { redis: { ok: boolean } } }
		expect(body.checks.redis.ok).toBe(false)
		// the toy here keeps talking, and a new toy with a device JWT is admitted on the other node
		await talk(seed, 'Are you still there?')
		const newcomer = new TestSocket(`${b.wsUrl}/xiaozhi/v1/`, { Authorization: `Bearer ${jwt}`, 'Device-Id': jwtId, 'Protocol-Version': '3' })
		await newcomer.opened
		newcomer.send({ type: 'hello', version: 3, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
		await newcomer.waitFor((m) => m.type === 'hello')
		newcomer.send({ type: 'listen', state: 'detect', text: 'Hello from a new toy' })
		await newcomer.waitFor((m) => m.type === 'tts' && m.state === 'stop', 30_000)
		// a command still reaches toys on the node that holds them; across nodes it cannot
		expect((await command(a, op, held, { type: 'send', message: { type: 'system', command: 'reboot' } })).body).toEqual({ delivered: 'local' })
		expect((await command(b, op, held, { type: 'send', message: { type: 'system', command: 'reboot' } })).status).toBe(404)

		await redis.start()
		await waitForMetric(a, 'teddy_redis_degraded', 0)
		await waitForMetric(b, 'teddy_redis_degraded', 0)
		await waitForLog(a, 'redis back')
		// the restarted Redis is empty: node A claims its toys again without being asked
		const back = await commandUntil(b, op, held, { type: 'send', message: { type: 'system', command: 'reboot' } }, 200)
		expect(back.body).toEqual({ delivered: 'remote' })
		const reboots = () => toy.messages.filter((m) => m.type === 'system' && m.command === 'reboot').length
		for (let i = 0; i < 50 && reboots() < 3; i++) await Bun.sleep(50)
		expect(reboots()).toBe(3)
		for (const s of [toy, seed, newcomer]) s.close()
	})
})
