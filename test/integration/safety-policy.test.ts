import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { CircuitBreaker } from '../../gateway/src/ai/circuit-breaker'
import { FixedLines } from '../../gateway/src/ai/fixed-lines'
import { loadCodec } from '../../gateway/src/codec'
import { AnswerPolicy, OpenAIPolicyClassifier } from '../../gateway/src/safety/answer-policy'
import { redirect, sessionIntro } from '../../gateway/src/safety/fixed-lines'
import { createStore, FieldCipher, migrate, type Store } from '../../gateway/src/store/index'
import { type OpenedTestDatabase, openTestDatabase } from '../support/databases'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { type FakeRealtime, startFakeRealtime } from '../support/fake-openai-realtime'
import { hearing } from '../support/hearing'
import { safeToy, sentencesOf, until, flushWrites } from '../support/safe-stack'
import { scriptedPolicy } from '../support/scripted-policy'

// The model can claim to be human (issue 18, finding 6): "I am a real human child like you." was
// spoken, because the word list holds exact phrases. Persona claims, secrets from parents, personal
// details, meetings and other apps are judged by meaning: a small chat model with Structured
// Outputs (the fake's scripted classifier here, so this tests the plumbing, not a model), with
// offline patterns as the floor when no model is reachable.

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
	rest.setBehaviour({ flaggedWords: {}, delays: {}, structured: scriptedPolicy({ 'a real boy is talking': 'persona', 'grown-ups do not need to know': 'secrecy' }) })
	rt.setBehaviour({ firstAudioMs: 0, betweenChunksMs: 0, chunkMs: 100 })
})

type Opts = Omit<Parameters<typeof safeToy>[0], 'codec' | 'lines' | 'store' | 'sql' | 'rest' | 'rt'>
async function toy(o: Opts) {
	const rec = await safeToy({ codec, lines, store, sql: opened.db.sql, rest, rt, made: (p) => closers.push(async () => p.close?.()), ...o })
	sessions.push(rec.session)
	return rec
}

const model = (circuit?: CircuitBreaker) => new AnswerPolicy(new OpenAIPolicyClassifier({ apiKey: 'test', baseURL: rest.url, circuit }))
const classified = () => rest.requests.filter((r) => r.path === '/v1/chat/completions' && (r.body as { response_format?: unknown }).response_format)

describe('answers are judged by meaning', () => {
	for (const mode of ['pipeline', 'realtime'] as const) {
		test(`${mode}: "I am a real human child like you." is never heard, with no model reachable`, async () => {
			const answer = 'Hello there, Mia! I am a real human child like you. Want to play?'
			rest.setBehaviour({ chatAnswer: answer })
			rt.setBehaviour({ answer })
			const { session, calls, timeline } = await toy({ mode, policy: new AnswerPolicy() })
			const t0 = performance.now()
			session.say('Are you my friend?')
			await until(() => calls.includes(`sentence:${redirect}`))
			expect(sentencesOf(calls)).toEqual([sessionIntro, 'Hello there, Mia!', redirect])
			// nothing of the claim reached the toy: only "Hello there, Mia!" (1 s) came before the redirect
			expect(hearing(timeline, t0).audioBetween('Hello there, Mia!', redirect)).toBeLessThanOrEqual(18 * 60 + 120)
		}, 30_000)
	}

	test('a claim no pattern knows is caught by the policy model, asked with a strict schema', async () => {
		rest.setBehaviour({ chatAnswer: 'Hello there, Mia! Guess what, a real boy is talking to you right now. Want to play?' })
		const { session, calls } = await toy({ mode: 'pipeline', policy: model() })
		session.say('Who are you?')
		await until(() => calls.includes(`sentence:${redirect}`))
		expect(sentencesOf(calls)).toEqual([sessionIntro, 'Hello there, Mia!', redirect])
		const asked = classified().map((r) => r.body as { messages: Array<{ role: string; content: string }>; response_format: { json_schema: { strict: boolean; name: string } } })
		expect(asked.map((b) => b.messages.at(-1)!.content)).toContain('Guess what, a real boy is talking to you right now.')
		expect(asked.every((b) => b.response_format.json_schema.strict === true && b.messages[0].role === 'system')).toBe(true)
	}, 30_000)

	test('asking a child to keep secrets is caught in other words too; safe sentences pass', async () => {
		rest.setBehaviour({ chatAnswer: 'That was fun! The grown-ups do not need to know about our games. Bye!' })
		const { session, calls } = await toy({ mode: 'pipeline', policy: model() })
		session.say('That was fun')
		await until(() => calls.includes(`sentence:${redirect}`))
		expect(sentencesOf(calls)).toEqual([sessionIntro, 'That was fun!', redirect])
	}, 30_000)

	test('a failing policy model leaves the patterns to decide and counts against the circuit', async () => {
		const circuit = new CircuitBreaker({ failureThreshold: 5, cooldownMs: 60_000 })
		const classifier = new OpenAIPolicyClassifier({ apiKey: 'test', baseURL: rest.url, circuit })
		rest.failNext({ route: 'chat/completions', status: 503, count: 1 })
		const signal = new AbortController().signal
		expect(await classifier.classify('I am a real human child like you.', signal)).toEqual({ categories: [], source: 'patterns', failed: true })
		expect(await new AnswerPolicy(classifier).classify('I am a real human child like you.', signal)).toEqual({ categories: ['persona'], source: 'patterns' })
		expect(await classifier.classify('Dragons love cookies.', signal)).toEqual({ categories: [], source: 'model' })
		circuit.failure()
		circuit.failure()
		circuit.failure()
		circuit.failure()
		expect(circuit.state).toBe('open')
		const before = rest.requests.length
		expect((await classifier.classify('Dragons love cookies.', signal)).failed).toBe(true)
		expect(rest.requests.length).toBe(before)
	})
})
