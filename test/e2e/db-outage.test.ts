import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import postgres from 'postgres'
import { ConversationRepository } from '../../gateway/src/store'
import { loadFieldCipher } from '../../gateway/src/store/crypto'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres'
import { seedUrl } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// Issue 10.7: PostgreSQL goes away mid-conversation. The toy keeps talking, and every turn it
// heard is in the database once PostgreSQL is back: nothing a child said or heard is lost.

const ENCRYPTION_KEY = '5e'.repeat(32)
const DEVICE = 'outage-toy-1'

let pg: PrivatePostgres
let gw: GatewayProcess
let sql: postgres.Sql

beforeAll(async () => {
	pg = await startPrivatePostgres()
	gw = await startGatewayProcess({ DATABASE_URL: pg.url, ENCRYPTION_KEY })
	sql = postgres(pg.url, { max: 1, onnotice: () => {} })
})

afterAll(async () => {
	await sql?.end({ timeout: 1 }).catch(() => {})
	await gw?.stop()
	await pg?.destroy()
})

async function answered(toy: TestSocket, text: string): Promise<void> {
	const finals = () => toy.messages.filter((m) => m.type === 'audio_response' && m.final === true).length
	const before = finals()
	toy.send({ type: 'text', text })
	await toy.waitFor(() => finals() > before, 20_000)
}

async function ready(): Promise<{ status: number; body: Record<string, unknown> }> {
	const res = await fetch(`${gw.url}/health/ready`)
	return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function storedTurns(): Promise<{ child: string[]; assistant: number; ended: boolean[] }> {
	const cipher = loadFieldCipher({ ENCRYPTION_KEY, NODE_ENV: 'test' }, gw.dataDir)
	const repo = new ConversationRepository(sql, cipher)
	const conversations = await sql<{ id: string; ended: boolean }[]>`
		select id, ended_at is not null as ended from conversations where device_id = ${DEVICE} order by started_at
	`
	const child: string[] = []
	let assistant = 0
	for (const c of conversations) {
		for (const m of await repo.list(c.id)) {
			if (m.role === 'child') child.push(m.text)
			else assistant++
		}
	}
	return { child, assistant, ended: conversations.map((c) => c.ended) }
}

describe('a database outage mid-conversation', () => {
	const said = ['I like red apples', 'my cat is called Tom', 'we went to the park today']

	test('loses no turn the toy heard, and says how much is waiting on /health/ready', async () => {
		const toy = new TestSocket(seedUrl(gw.wsUrl, { device_id: DEVICE, child_id: 'outage-child' }))
		await toy.opened
		await answered(toy, said[0]!)

		await pg.stop()
		// The child keeps talking and keeps being answered while the database is down.
		await answered(toy, said[1]!)
		await answered(toy, said[2]!)
		const during = await ready()
		expect(during.status).toBe(503)
		const writes = (during.body.checks as Record<string, { ok: boolean; pending?: number }>).writes
		expect(writes?.pending).toBeGreaterThan(0)

		await pg.start()
		const deadline = Date.now() + 30_000
		let turns = await storedTurns().catch(() => ({ child: [] as string[], assistant: 0, ended: [] as boolean[] }))
		while (turns.child.length < said.length && Date.now() < deadline) {
			await Bun.sleep(250)
			turns = await storedTurns().catch(() => turns)
		}
		expect(turns.child).toEqual(said)
		expect(turns.assistant).toBe(said.length)

		// Drained: ready again, nothing waiting. Readiness comes back with the database, while the
		// last writes of the backlog (usage, memory) may still be in flight: wait for both.
		const pendingOf = (r: { body: Record<string, unknown> }) => (r.body.checks as Record<string, { pending?: number }>).writes?.pending
		let after = await ready()
		while ((after.status !== 200 || pendingOf(after) !== 0) && Date.now() < deadline) {
			await Bun.sleep(250)
			after = await ready()
		}
		expect(after.status).toBe(200)
		expect(pendingOf(after)).toBe(0)

		// The conversation is marked ended when the toy hangs up.
		toy.close()
		await toy.closed
		const endBy = Date.now() + 10_000
		while (!(await storedTurns()).ended.every(Boolean) && Date.now() < endBy) await Bun.sleep(100)
		const final = await storedTurns()
		expect(final.ended.length).toBeGreaterThan(0)
		expect(final.ended.every(Boolean)).toBe(true)
	}, 90_000)
})
