import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Redis } from 'ioredis'
import { createTestDatabase, requireEnv, type TestDatabase } from '../support/databases'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { command, commandUntil, fleetEnv, metric, operatorToken, startNode, uniqueId, xiaozhiToy } from '../support/fleet'
import type { GatewayProcess } from '../support/gateway-process'
import { seedUrl } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// Three gateway processes on one PostgreSQL and one Redis act as one fleet: an operator's command
// reaches a toy whichever node holds it, and a toy whose node is killed (-9, no goodbye) picks up
// its conversation on another node.

/** The model's answers: streamed chat requests (the answer-policy checks are chat requests too). */
const answers = () => fake.requests.filter((q) => q.path === '/v1/chat/completions' && (q.body as { stream?: boolean }).stream === true)

let db: TestDatabase
let fake: FakeOpenAI
let redis: Redis
const nodes: GatewayProcess[] = []
let a: GatewayProcess
let b: GatewayProcess
let c: GatewayProcess
let env: Record<string, string>
let op: string

beforeAll(async () => {
	db = await createTestDatabase()
	fake = await startFakeOpenAI({ chatAnswer: 'Zebras are striped horses of Africa.', speech: 'tone' })
	redis = new Redis(requireEnv('TEST_REDIS_URL'))
	env = { ...fleetEnv({ DATABASE_URL: db.url, REDIS_URL: requireEnv('TEST_REDIS_URL') }), OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test' }
	;[a, b, c] = await Promise.all([startNode(env, 'a'), startNode(env, 'b'), startNode(env, 'c')])
	nodes.push(a, b, c)
	// ? Signed in on A, used on B and C: one AUTH_SECRET and one database make it the fleet's.
	op = await operatorToken(a, env)
})

afterAll(async () => {
	await Promise.all(nodes.map((n) => (n.proc.exitCode === null && !n.proc.killed ? n.stop() : undefined)))
	redis?.disconnect()
	await fake?.stop()
	await db?.drop()
})

describe('commands across nodes', () => {
	test('a command sent to one node reaches the toy on another', async () => {
		const deviceId = uniqueId('fleet-cmd')
		const toy = await xiaozhiToy(a, deviceId)

		const reboot = await commandUntil(b, op, deviceId, { type: 'send', message: { type: 'system', command: 'reboot' } }, 200)
		expect(reboot).toEqual({ status: 200, body: { delivered: 'remote' } })
		await toy.waitFor((m) => m.type === 'system' && m.command === 'reboot')

		const mcp = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'self.audio_speaker.set_volume', arguments: { volume: 40 } } }
		expect((await command(c, op, deviceId, { type: 'send', message: { type: 'mcp', payload: mcp } })).body).toEqual({ delivered: 'remote' })
		await toy.waitFor((m) => m.type === 'mcp' && (m.payload as { id?: number }).id === 7)

		// on the node that holds it the command is carried out in place
		expect((await command(a, op, deviceId, { type: 'send', message: { type: 'alert', status: 'info', message: 'Hi', emotion: 'happy' } })).body).toEqual({ delivered: 'local' })

		// revoked by an operator on C: the toy's socket on A closes (the parent side's unpair, consent
		// withdrawal and deletion reach it the same way: one DeviceControl, ws/fleet-node.ts)
		const revoke = await fetch(`${c.url}/api/v1/operator/devices/${deviceId}/revoke`, {
			method: 'POST',
			headers: { authorization: `Bearer ${op}`, 'content-type': 'application/json' },
			body: JSON.stringify({ reason: 'support ticket 17: lost toy' }),
		})
		expect(await revoke.json()).toEqual({ device_id: deviceId, disconnected: true, revoked: true })
		const closed = await toy.closed
		expect(closed.code).toBe(4403)
		expect(toy.messages.find((m) => m.type === 'error')).toMatchObject({ code: 'FORBIDDEN', message: 'this toy has been revoked' })

		// gone from the fleet: no node holds it any more
		const after = await commandUntil(b, op, deviceId, { type: 'send', message: { type: 'system', command: 'reboot' } }, 404)
		expect(after.status).toBe(404)
		expect(after.body.code).toBe('NOT_FOUND')
	})

	test('commands are for operators only and are checked', async () => {
		const res = await fetch(`${b.url}/api/v1/operator/devices/some-toy/commands`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ type: 'send', message: { type: 'system', command: 'reboot' } }),
		})
		expect(res.status).toBe(401)
		const bad = await command(b, op, 'some-toy', { type: 'send', message: { type: 'system', command: 'format-flash' } })
		expect(bad.status).toBe(400)
		expect(bad.body.code).toBe('BAD_REQUEST')
	})
})

describe('a node killed mid-conversation', () => {
	test('its toy resumes on another node within 30 s, keeping what was said', async () => {
		const deviceId = uniqueId('fleet-kill')
		const child = { child_id: `child-${deviceId}`, child_name: 'Mia', child_age: 7 }
		const first = new TestSocket(seedUrl(a.wsUrl, { device_id: deviceId, ...child }))
		await first.opened
		first.send({ type: 'text', text: 'My favourite animal is the zebra' })
		await first.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)

		// the context waits in Redis, sealed: the child's words are not readable there
		const sealed = await redis.get(`${env.REDIS_KEY_PREFIX}teddy:ctx:${deviceId}`)
		expect(sealed).toBeTruthy()
		expect(sealed).not.toContain('zebra')

		a.proc.kill('SIGKILL')
		await a.proc.exited
		const lost = await first.closed
		expect(lost.code).not.toBe(1012) // no goodbye from a killed node
		const killedAt = Date.now()

		const again = new TestSocket(seedUrl(c.wsUrl, { device_id: deviceId, ...child }))
		await again.opened
		const chats = answers().length
		again.send({ type: 'text', text: 'What is my favourite animal?' })
		await again.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
		expect(Date.now() - killedAt).toBeLessThan(30_000)

		// the model on node C was given the conversation held on node A
		const asked = answers().slice(chats)
		expect(asked.length).toBeGreaterThan(0)
		const messages = JSON.stringify((asked.at(-1)!.body as { messages: unknown }).messages)
		expect(messages).toContain('My favourite animal is the zebra')
		expect(messages).toContain('What is my favourite animal?')
		expect(await metric(c, 'teddy_sessions_resumed_total', { source: 'redis' })).toBe(1)

		// and the fleet now finds it on C
		const moved = await fetch(`${b.url}/api/v1/operator/devices/${deviceId}/disconnect`, {
			method: 'POST',
			headers: { authorization: `Bearer ${op}`, 'content-type': 'application/json' },
			body: JSON.stringify({ reason: 'moving it to another node' }),
		})
		expect(((await moved.json()) as { disconnected: boolean }).disconnected).toBe(true)
		expect((await again.closed).code).toBe(1012)
	})
})
