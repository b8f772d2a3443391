import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { FixedLines } from '../../gateway/src/ai/fixed-lines'
import { loadCodec } from '../../gateway/src/codec'
import { AnswerPolicy, OpenAIPolicyClassifier } from '../../gateway/src/safety/answer-policy'
import { SafetyIdentifiers } from '../../gateway/src/safety/safety-identifier'
import { createStore, FieldCipher, migrate, type Store } from '../../gateway/src/store/index'
import { type OpenedTestDatabase, openTestDatabase } from '../support/databases'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { type FakeRealtime, startFakeRealtime } from '../support/fake-openai-realtime'
import { TEST_SECRET } from '../support/gateway-process'
import { safeToy, speak, until, flushWrites } from '../support/safe-stack'
import { scriptedPolicy } from '../support/scripted-policy'

// Who the API is told it talks to: a safety_identifier per family on chat and Realtime requests
// (a keyed hash, never the family id), and the API key in an Authorization header rather than a
// WebSocket subprotocol string. The Realtime fake serves wss with a loopback certificate, as the
// real API serves wss, because the SDK's header-sending client only dials wss.

const codec = loadCodec()
const lines = new FixedLines({ codec })
const identifiers = new SafetyIdentifiers(TEST_SECRET)
let opened: OpenedTestDatabase
let store: Store
let rest: FakeOpenAI
let rt: FakeRealtime
let plain: FakeRealtime
let tlsCheck: string | undefined
const closers: Array<() => Promise<void>> = []
const sessions: Array<{ close(): void }> = []

beforeAll(async () => {
	// ! Only this file's loopback fakes present the self-signed certificate; restored afterwards.
	tlsCheck = process.env.NODE_TLS_REJECT_UNAUTHORIZED
	process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
	opened = await openTestDatabase('postgres')
	await migrate(opened.db.sql)
	store = createStore(opened.db, new FieldCipher(randomBytes(32)), randomBytes(32).toString('hex'))
	rest = await startFakeOpenAI({ speech: 'tone', chatAnswer: 'Dragons love cookies. The end.', structured: scriptedPolicy({}) })
	rt = await startFakeRealtime({ tls: true, answer: 'Dragons love cookies. The end.' })
	plain = await startFakeRealtime({ answer: 'Dragons love cookies. The end.' })
	await lines.warm()
})
afterAll(async () => {
	for (const close of closers) await close()
	await rt?.stop()
	await plain?.stop()
	await rest?.stop()
	await flushWrites()
	await opened?.cleanup()
	if (tlsCheck === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED
	else process.env.NODE_TLS_REJECT_UNAUTHORIZED = tlsCheck
})
afterEach(() => {
	for (const s of sessions.splice(0)) s.close()
})
beforeEach(() => {
	rest.requests.length = 0
})

type Opts = Omit<Parameters<typeof safeToy>[0], 'codec' | 'lines' | 'store' | 'sql' | 'rest'>
async function toy(o: Opts, familyId?: string) {
	const rec = await safeToy({ codec, lines, store, sql: opened.db.sql, rest, identifiers, made: (p) => closers.push(async () => p.close?.()), ...o }, familyId)
	sessions.push(rec.session)
	return rec
}

const policy = () => new AnswerPolicy(new OpenAIPolicyClassifier({ apiKey: 'test', baseURL: rest.url }))
const chatIds = () => rest.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => (r.body as { safety_identifier?: string }).safety_identifier)

describe('safety_identifier', () => {
	test("pipeline: one stable id per family on every chat request, not the family's id", async () => {
		const family = await store.safety.families.create({ parentEmail: 'parent@example.test' })
		const other = await store.safety.families.create({})
		const ids: Array<string | undefined> = []
		for (const familyId of [family.id, family.id, other.id]) {
			rest.requests.length = 0
			const { session, calls } = await toy({ mode: 'pipeline', policy: policy() }, familyId)
			session.say('Hello Teddy')
			await until(() => calls.includes('sentence:The end.'))
			// the answer and the policy model's two checks
			expect(chatIds()).toHaveLength(3)
			expect(new Set(chatIds()).size).toBe(1)
			ids.push(chatIds()[0])
		}
		expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{20,64}$/)
		expect(ids[1]).toBe(ids[0]) // two toys of one family
		expect(ids[2]).not.toBe(ids[0])
		expect(ids[0]).toBe(identifiers.of(family.id, undefined))
		for (const leak of [family.id, family.id.replaceAll('-', ''), 'parent@example.test']) expect(JSON.stringify(rest.requests.map((r) => r.body))).not.toContain(leak)
	}, 60_000)

	test('a toy with no family gets an id of its own', async () => {
		const { session, calls, deviceId } = await toy({ mode: 'pipeline' })
		session.say('Hello Teddy')
		await until(() => calls.includes('stop'))
		expect(chatIds()).toEqual([identifiers.of(null, deviceId)])
	}, 30_000)
})

describe('Realtime connection', () => {
	test("the key goes in an Authorization header, never a subprotocol, with the family's safety id", async () => {
		const family = await store.safety.families.create({})
		const n = rt.connections.length
		const { session, calls } = await toy({ mode: 'realtime', rt }, family.id)
		speak(session)
		await until(() => calls.includes('stop'))
		const { handshake } = rt.connections[n]
		expect(handshake.authorization).toBe('Bearer test')
		expect(handshake.protocols.join(',')).not.toContain('test')
		expect(handshake.protocols.some((p) => p.startsWith('openai-insecure-api-key'))).toBe(false)
		expect(handshake.safetyIdentifier).toBe(identifiers.of(family.id, undefined)!)
	}, 30_000)

	test('a plain-http local server still works (the SDK can only send its key as a subprotocol there)', async () => {
		const n = plain.connections.length
		const { session, calls } = await toy({ mode: 'realtime', rt: plain })
		session.say('Hello Teddy')
		await until(() => calls.includes('stop'))
		expect(calls).toContain('sentence:Dragons love cookies.')
		expect(plain.connections[n].handshake.protocols).toContain('openai-insecure-api-key.test')
	}, 30_000)
})
