import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { CircuitBreaker } from '../../gateway/src/ai/circuit-breaker'
import { FixedLines, fixedLineTexts } from '../../gateway/src/ai/fixed-lines'
import { offlineLines } from '../../gateway/src/ai/offline-lines'
import { loadCodec } from '../../gateway/src/codec'
import { sessionIntro } from '../../gateway/src/safety/fixed-lines'
import { OpenAIModerator } from '../../gateway/src/safety/moderation'
import { createStore, FieldCipher, migrate, type Store } from '../../gateway/src/store/index'
import { type OpenedTestDatabase, openTestDatabase } from '../support/databases'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { type FakeRealtime, startFakeRealtime } from '../support/fake-openai-realtime'
import { hearing } from '../support/hearing'
import { safeToy, sentencesOf, until, flushWrites } from '../support/safe-stack'

// No safety check stalls a turn (issue 18, finding 4): the gateway's own lines are never sent to
// moderation, moderation shares the upstream's circuit (no calls while it is open, the local lists
// decide at once), and each sentence is checked while the one before it plays, so a slow
// moderation does not leave the child in silence between sentences.

const codec = loadCodec()
const lines = new FixedLines({ codec })
let opened: OpenedTestDatabase
let store: Store
let rest: FakeOpenAI
let rt: FakeRealtime
const closers: Array<() => Promise<void>> = []
const sessions: Array<{ close(): void }> = []

beforeAll(async () => {
	opened = await openTestDatabase('postgres')
	await migrate(opened.db.sql)
	store = createStore(opened.db, new FieldCipher(randomBytes(32)), randomBytes(32).toString('hex'))
	rest = await startFakeOpenAI({ speech: 'tone' })
	rt = await startFakeRealtime()
	await lines.warm()
})
afterAll(async () => {
	for (const close of closers) await close()
	await rt?.stop()
	await rest?.stop()
	await flushWrites()
	await opened?.cleanup()
})
afterEach(() => {
	for (const s of sessions.splice(0)) s.close()
})
beforeEach(() => {
	rest.requests.length = 0
	rest.setBehaviour({ flaggedWords: {}, delays: {}, chatAnswer: 'Dragons love cookies. The end.', transcript: 'Tell me about dragons' })
	rt.setBehaviour({ firstAudioMs: 0, betweenChunksMs: 0, chunkMs: 100 })
})

type Opts = Omit<Parameters<typeof safeToy>[0], 'codec' | 'lines' | 'store' | 'sql' | 'rest' | 'rt'>
async function toy(o: Opts) {
	const rec = await safeToy({ codec, lines, store, sql: opened.db.sql, rest, rt, made: (p) => closers.push(async () => p.close?.()), ...o })
	sessions.push(rec.session)
	return rec
}

const moderated = () => rest.requests.filter((r) => r.path === '/v1/moderations').map((r) => (r.body as { input: string }).input)
const fixed = [fixedLineTexts.thinking, fixedLineTexts.fallback, sessionIntro, ...Object.values(offlineLines).flat()]

describe("the gateway's own lines are never moderated", () => {
	test('"let me think" and the answer after it: only the child and the model are checked', async () => {
		rest.setBehaviour({ delays: { 'chat/completions': { firstByteMs: 1500 } } })
		const { session, calls } = await toy({ mode: 'pipeline', firstAudioTimeoutMs: 600 })
		session.say('Tell me about dragons')
		await until(() => calls.includes('sentence:The end.'))
		expect(sentencesOf(calls)).toEqual([sessionIntro, fixedLineTexts.thinking, 'Dragons love cookies.', 'The end.'])
		expect(moderated().sort()).toEqual(['Dragons love cookies.', 'Tell me about dragons', 'The end.'])
	}, 30_000)

	test('the fallback line of a dead upstream is not sent to moderation', async () => {
		rest.setBehaviour({ delays: { 'chat/completions': { firstByteMs: 10_000 } } })
		const { session, calls } = await toy({ mode: 'pipeline', firstAudioTimeoutMs: 400, upstreamTimeoutMs: 1200, retries: 0 })
		session.say('Tell me about dragons')
		await until(() => calls.includes(`sentence:${fixedLineTexts.fallback}`))
		expect(moderated()).toEqual(['Tell me about dragons'])
	}, 30_000)
})

describe("moderation shares the upstream's circuit", () => {
	test('while the circuit is open nothing is moderated: the offline bear answers and the local lists decide', async () => {
		const circuit = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 60_000 })
		rest.failNext({ route: 'chat/completions', status: 500, count: 1 })
		const { session, calls } = await toy({ mode: 'pipeline', circuit, retries: 0 })
		session.say('Hello Teddy')
		await until(() => calls.includes(`sentence:${fixedLineTexts.fallback}`))
		expect(circuit.state).toBe('open')
		session.interrupt()
		const before = rest.requests.length
		const bear = calls.length
		session.say('Tell me a joke')
		await until(() => calls.slice(bear).some((c) => c.startsWith('sentence:')))
		expect(rest.requests.length).toBe(before)
		expect(fixed).toContain(sentencesOf(calls.slice(bear))[0])
	}, 30_000)

	test('a moderation timeout or server error counts as an upstream failure; a refused request does not', async () => {
		const circuit = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 60_000 })
		const moderator = new OpenAIModerator({ apiKey: 'test', baseURL: rest.url, circuit, timeoutMs: 300 })
		const signal = new AbortController().signal
		rest.failNext({ route: 'moderations', status: 400, count: 1 })
		expect((await moderator.moderate('hello', signal)).failed).toBe(true)
		rest.failNext({ route: 'moderations', status: 503, count: 1 })
		expect((await moderator.moderate('hello', signal)).failed).toBe(true)
		expect(circuit.state).toBe('closed')
		rest.setBehaviour({ delays: { moderations: { firstByteMs: 1000 } } })
		expect((await moderator.moderate('hello', signal)).failed).toBe(true)
		expect((await moderator.moderate('hello', signal)).failed).toBe(true)
		// 503 and two timeouts: the third failure in a row opens the shared circuit
		expect(circuit.state).toBe('open')
		const asked = rest.requests.length
		expect(await moderator.moderate('I want to kill the dragon', signal)).toMatchObject({ flagged: false, failed: true })
		expect(rest.requests.length).toBe(asked)
	}, 30_000)
})

describe('each sentence is checked while the one before it plays', () => {
	for (const mode of ['pipeline', 'realtime'] as const) {
		test(`${mode}: a slow moderation of the next sentence starts well before this one ends`, async () => {
			const answer = 'Dragons are big and very friendly. They love to bake cookies for everyone. The end.'
			rest.setBehaviour({ chatAnswer: answer, delays: { moderations: { firstByteMs: 1200 } } })
			rt.setBehaviour({ answer, betweenChunksMs: 30 })
			const { session, calls, timeline } = await toy({ mode })
			const t0 = performance.now()
			session.say('Tell me about dragons')
			await until(() => calls.includes('sentence:They love to bake cookies for everyone.'))
			const heard = hearing(timeline, t0)
			const first = heard.playedOut('Dragons are big and very friendly.')!
			const asked = rest.requests.find((r) => r.path === '/v1/moderations' && (r.body as { input: string }).input.startsWith('They love'))!.at - t0
			// ? Asked at least two seconds before the first sentence finished playing (before: 0.9 s): with a 1.2 s
			// moderation the second sentence is then ready when the first one ends.
			expect(first - asked).toBeGreaterThan(2000)
		}, 30_000)
	}
})
