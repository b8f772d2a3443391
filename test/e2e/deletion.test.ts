import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Redis } from 'ioredis'
import postgres from 'postgres'
import { sessionIntro } from '../../gateway/src/safety/fixed-lines'
import { connectRedis } from '../../gateway/src/store/redis'
import { createTestDatabase, requireEnv, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import {
	type Api,
	addChild,
	call,
	gatewayApi,
	giveConsent,
	PASSWORD,
	type ParentApp,
	type SignedInParent,
	signUp,
	startParentApp,
	TEST_AUTH_SECRET,
	TEST_ENCRYPTION_KEY,
} from '../support/parent-app'
import { idsInDatabase, idsInRedis } from '../support/scan'
import { v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// Deletion against a real gateway with PostgreSQL and Redis: a toy talks with a child for real
// (conversation, memory, progress, usage, a crisis alert), then the parent deletes the child, then
// the account; afterwards every column of every table and every Redis key is scanned for the ids.
// Also: the retention purge's last run shows on /health/ready.

let db: TestDatabase
let sql: postgres.Sql
let redis: Redis
let pa: ParentApp
let gw: GatewayProcess
let api: Api
let parent: SignedInParent

// ? A database index of the shared Redis of its own: its keys are only this gateway's.
const redisUrl = () => requireEnv('TEST_REDIS_URL').replace(/\/\d+$/, '/11')

beforeAll(async () => {
	db = await createTestDatabase()
	sql = postgres(db.url, { max: 2, onnotice: () => {} })
	redis = connectRedis(redisUrl())
	pa = await startParentApp({ databaseUrl: db.url })
	parent = await signUp(pa)
	gw = await startGatewayProcess({
		DATABASE_URL: db.url,
		REDIS_URL: redisUrl(),
		ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		AUTH_SECRET: TEST_AUTH_SECRET,
		SMTP_URL: pa.sink.url,
		REQUIRE_PAIRING: 'true',
		MAINTENANCE_INTERVAL_MINUTES: '1',
	})
	api = gatewayApi(gw.url, pa.sink)
})
afterAll(async () => {
	await gw?.stop()
	await pa?.close()
	redis?.disconnect()
	await sql?.end()
	await db?.drop()
})

async function talk(deviceId: string, childId: string): Promise<TestSocket> {
	await sql`insert into devices (device_id, paired_child_id) values (${deviceId}, ${childId})
		on conflict (device_id) do update set paired_child_id = excluded.paired_child_id`
	const s = new TestSocket(`${gw.wsUrl}/xiaozhi/v1/`, { Authorization: `Bearer ${v2Token(deviceId)}`, 'Protocol-Version': '3', 'Device-Id': deviceId, 'Client-Id': 'c1' })
	await s.opened
	s.send({ type: 'hello', version: 3, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
	await s.waitFor((m) => m.type === 'hello')
	// an answered turn (memory, progress), then a crisis (alert); no need to hear each answer out
	s.send({ type: 'listen', state: 'detect', text: 'I love dinosaurs' })
	await s.waitFor((m) => m.type === 'tts' && m.state === 'sentence_start' && m.text !== sessionIntro, 30_000)
	s.messages.length = 0
	s.send({ type: 'listen', state: 'detect', text: 'my uncle hits me' })
	await s.waitFor((m) => m.type === 'tts' && m.state === 'sentence_start', 30_000)
	// the turn's bookkeeping (memory, progress, alert) is written as the turn settles, and the
	// messages through the write backlog once each answer starts (the crisis reply's own row
	// when it has played, which this does not wait for): both land a few ms after the toy hears
	for (let i = 0; i < 100; i++) {
		const [row] = await sql<{ n: number; messages: number }[]>`
			select (select count(*) from child_summaries where child_id = ${childId}) + (select count(*) from parent_alerts where child_id = ${childId}) as n,
				(select count(*) from messages m join conversations c on c.id = m.conversation_id where c.child_id = ${childId}) as messages
		`
		if (Number(row!.n) >= 2 && Number(row!.messages) >= 3) break
		await Bun.sleep(50)
	}
	return s
}

async function idsOf(childId: string): Promise<string[]> {
	const convs = await sql<{ id: string }[]>`select id from conversations where child_id = ${childId}`
	const msgs = await sql<{ id: string }[]>`select m.id from messages m join conversations c on c.id = m.conversation_id where c.child_id = ${childId}`
	const alerts = await sql<{ id: string }[]>`select id from parent_alerts where child_id = ${childId}`
	return [childId, ...convs.map((r) => r.id), ...msgs.map((r) => r.id), ...alerts.map((r) => r.id)]
}

async function rowsOf(table: string, child: string): Promise<number> {
	for (let i = 0; ; i++) {
		const n = (await sql.unsafe(`select 1 from ${table} where child_id = $1`, [child])).length
		if (n > 0 || i >= 100) return n
		await Bun.sleep(100)
	}
}

test('deleting a child leaves nothing of it in any table or Redis key, and closes its toy', async () => {
	const child = await addChild(pa, parent, { name: 'Rex' })
	await giveConsent(pa, parent, child)
	const toy = await talk('del-toy-1', child)
	const ids = await idsOf(child)
	// a real life with the toy: a conversation of 4 messages, a crisis alert, memory, progress, usage
	expect(ids.length).toBeGreaterThanOrEqual(6)
	// ? Memory, progress and alerts are written through the write backlog, just after the answer.
	for (const table of ['child_summaries', 'child_progress', 'parent_alerts']) expect({ table, rows: await rowsOf(table, child) }).toEqual({ table, rows: 1 })

	const r = await call(api, 'DELETE', `/api/v1/children/${child}`, { token: parent.token })
	expect(await r.json()).toEqual({ deleted: true, disconnected: 1 })
	expect((await toy.closed).code).toBe(4403)
	expect(await idsInDatabase(sql, ids)).toEqual([])
	expect(await idsInRedis(redis, ids)).toEqual([])
})

test('deleting the account leaves nothing of the household in any table or Redis key', async () => {
	const child = await addChild(pa, parent, { name: 'Ivy' })
	await giveConsent(pa, parent, child)
	const toy = await talk('del-toy-2', child)
	// a reset mail asked through the gateway leaves a throttle counter for the account in Redis
	expect((await call(api, 'POST', '/api/v1/accounts/password/forgot', { body: { email: parent.email } })).status).toBe(202)
	expect(await idsInRedis(redis, [parent.parentId])).not.toEqual([])
	const ids = [parent.familyId, parent.parentId, 'del-toy-2', ...(await idsOf(child))]
	const r = await call(api, 'DELETE', '/api/v1/accounts/me', { token: parent.token, body: { password: PASSWORD } })
	expect(await r.json()).toMatchObject({ deleted: true, disconnected: 1 })
	expect((await toy.closed).code).toBe(4403)
	expect(await idsInDatabase(sql, ids)).toEqual([])
	// ? The toy's id stays only in its token-replay guard (teddy:nonce:*) and its rate-limit window
	// (teddy:rl:*): counters that hold no child data and expire within 10 minutes.
	const left = await idsInRedis(redis, ids)
	const expiring = left.filter((h) => h.includes('teddy:nonce:') || h.includes('teddy:rl:'))
	expect(left.filter((h) => !expiring.includes(h))).toEqual([])
	for (const hit of expiring) {
		const key = hit.split(' ')[2]!
		const ttl = await redis.ttl(key)
		expect({ key, expires: ttl > 0 && ttl <= 600 }).toEqual({ key, expires: true })
	}
})

test('/health/ready tells when the retention purge last ran', async () => {
	let ready: { retention?: { last_run_at: string | null; ok: boolean | null } } = {}
	for (let i = 0; i < 100 && !ready.retention?.last_run_at; i++) {
		ready = (await (await fetch(`${gw.url}/health/ready`)).json()) as typeof ready
		if (!ready.retention?.last_run_at) await Bun.sleep(200)
	}
	expect(ready.retention).toMatchObject({ ok: true })
	expect(Date.parse(ready.retention!.last_run_at!)).toBeGreaterThan(Date.now() - 120_000)
})
