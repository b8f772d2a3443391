import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import postgres from 'postgres'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { Households } from '../support/family-fixtures'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { eventually, SeedToy } from '../support/seed-toy'

// Issue 10 finding 1: a seed-json toy names its child in the `child_id` query parameter. A toy of
// one family that names another family's child must never reach that child: not its memory, not
// its name, not its conversations. A toy only reaches children of the family it is paired to; an
// unpaired toy only its own (device-scoped) children. The real toy of the other family keeps
// talking throughout.

const ENCRYPTION_KEY = '3c'.repeat(32)

let db: TestDatabase
let sql: postgres.Sql
let homes: Households
let fake: FakeOpenAI

beforeAll(async () => {
	db = await createTestDatabase()
	sql = postgres(db.url, { max: 2, onnotice: () => {} })
	homes = new Households(sql, ENCRYPTION_KEY)
	fake = await startFakeOpenAI({ chatAnswer: 'That sounds lovely.', speech: 'tone' })
})

afterAll(async () => {
	await sql?.end()
	await db?.drop()
	await fake?.stop()
})

/** Everything the model was shown in chat requests made since `from` (system prompt, memory, history). */
const promptsSince = (from: number) =>
	fake.requests
		.slice(from)
		.filter((r) => r.path === '/v1/chat/completions')
		.map((r) => JSON.stringify((r.body as { messages: unknown }).messages))
		.join('\n')

const gatewayEnv = (requirePairing: boolean) => ({
	DATABASE_URL: db.url,
	ENCRYPTION_KEY,
	OPENAI_BASE_URL: fake.url,
	OPENAI_API_KEY: 'test',
	MODERATION: 'local',
	REQUIRE_PAIRING: String(requirePairing),
})

describe('a paired toy (pairing required)', () => {
	let gw: GatewayProcess
	let alice: string
	let bob: string
	let bella: string
	let good: SeedToy

	beforeAll(async () => {
		gw = await startGatewayProcess(gatewayEnv(true))
		const a = await homes.family()
		alice = await a.child('Alice', 5, 'kid-alice')
		await homes.remember(alice, '- my dog is called Biscuit')
		await homes.pairedToy('toy-family-a', alice)
		const b = await homes.family()
		bob = await b.child('Bob', 9, 'kid-bob')
		bella = await b.child('Bella', 6, 'kid-bella')
		await homes.pairedToy('toy-family-b', bob)
		good = await SeedToy.connect(gw.wsUrl, 'toy-family-a', { child_id: 'kid-alice', child_name: 'Alice', child_age: 5 })
		expect((await good.say('hello teddy')).length).toBeGreaterThan(0)
	})

	afterAll(async () => {
		good?.close()
		await gw?.stop()
	})

	test("naming another family's child reaches neither its memory, nor its name, nor its conversations", async () => {
		const from = fake.requests.length
		const attacker = await SeedToy.connect(gw.wsUrl, 'toy-family-b', { child_id: 'kid-alice', child_name: 'Mallory', child_age: 13 })
		expect((await attacker.say('what is my dog called?')).length).toBeGreaterThan(0)
		attacker.close()
		const prompt = promptsSince(from)
		expect(prompt).not.toContain('Biscuit')
		expect(prompt).not.toContain('Alice')
		// the toy talks to the child it is paired with, as its parent named it, not as the query says
		expect(prompt).toContain('Bob')
		expect(prompt).not.toContain('Mallory')
		expect(await homes.nameAndAge(alice)).toEqual({ name: 'Alice', age: 5 })
		expect(await eventually(async () => (await homes.conversationsOf('toy-family-b')).length > 0)).toBe(true)
		expect(await homes.conversationsOf('toy-family-b')).not.toContain(alice)
		const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from conversations where child_id = ${alice} and device_id <> 'toy-family-a'`
		expect(n).toBe(0)
		// the real toy of family A was not disturbed and still answers
		expect(good.open).toBe(true)
		expect((await good.say('are you still there?')).length).toBeGreaterThan(0)
	})

	test("a paired toy may reach a sibling in its own family, but its query never renames or re-ages a parent's child", async () => {
		const from = fake.requests.length
		const toy = await SeedToy.connect(gw.wsUrl, 'toy-family-b', { child_id: 'kid-bella', child_name: 'Not Bella', child_age: 12 })
		await toy.say('hi')
		toy.close()
		const prompt = promptsSince(from)
		expect(prompt).toContain('Bella')
		expect(prompt).not.toContain('Not Bella')
		expect(await homes.nameAndAge(bella)).toEqual({ name: 'Bella', age: 6 })
		expect(await homes.nameAndAge(bob)).toEqual({ name: 'Bob', age: 9 })
		expect(await eventually(async () => (await homes.conversationsOf('toy-family-b')).includes(bella))).toBe(true)
	})
})

describe('an unpaired toy (pairing optional)', () => {
	let gw: GatewayProcess
	let alice: string
	let good: SeedToy

	beforeAll(async () => {
		gw = await startGatewayProcess(gatewayEnv(false))
		const a = await homes.family()
		alice = await a.child('Alicia', 4, 'kid-alicia')
		await homes.remember(alice, '- my secret hiding place is under the blue slide')
		await homes.pairedToy('toy-family-c', alice)
		good = await SeedToy.connect(gw.wsUrl, 'toy-family-c', { child_id: 'kid-alicia', child_name: 'Alicia', child_age: 4 })
	})

	afterAll(async () => {
		good?.close()
		await gw?.stop()
	})

	test("naming a family's child gets a child of its own, never the family's", async () => {
		const from = fake.requests.length
		const stranger = await SeedToy.connect(gw.wsUrl, 'stranger-toy', { child_id: 'kid-alicia', child_name: 'Eve', child_age: 8 })
		await stranger.say('where is my hiding place?')
		stranger.close()
		const prompt = promptsSince(from)
		expect(prompt).not.toContain('blue slide')
		expect(prompt).not.toContain('Alicia')
		expect(prompt).toContain('Eve')
		expect(await homes.nameAndAge(alice)).toEqual({ name: 'Alicia', age: 4 })
		expect(await eventually(async () => (await homes.conversationsOf('stranger-toy')).length > 0)).toBe(true)
		expect(await homes.conversationsOf('stranger-toy')).not.toContain(alice)
		expect(good.open).toBe(true)
		expect((await good.say('hello')).length).toBeGreaterThan(0)
	})

	test("reconnecting as another child does not carry the last child's words over", async () => {
		const first = await SeedToy.connect(gw.wsUrl, 'shared-toy', { child_id: 'kid-one', child_name: 'Sam', child_age: 7 })
		await first.say('my secret word is pineapple')
		first.close()
		await first.socket.closed
		const from = fake.requests.length
		const second = await SeedToy.connect(gw.wsUrl, 'shared-toy', { child_id: 'kid-two', child_name: 'Kim', child_age: 7 })
		await second.say('what is the secret word?')
		second.close()
		const prompt = promptsSince(from)
		expect(prompt).toContain('Kim')
		expect(prompt).not.toContain('pineapple')
	})
})
