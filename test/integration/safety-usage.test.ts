import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { FixedLines } from '../../gateway/src/ai/fixed-lines'
import { loadCodec } from '../../gateway/src/codec'
import { AnswerPolicy, OpenAIPolicyClassifier } from '../../gateway/src/safety/answer-policy'
import { createStore, FieldCipher, migrate, type Store } from '../../gateway/src/store/index'
import { type OpenedTestDatabase, openTestDatabase } from '../support/databases'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { type FakeRealtime, startFakeRealtime } from '../support/fake-openai-realtime'
import { safeToy, speak, until, flushWrites } from '../support/safe-stack'
import { scriptedPolicy } from '../support/scripted-policy'

// Metering counts the tokens the API reported, not an estimate from text length: chat usage (with
// stream_options.include_usage), transcription usage, the Realtime response.done usage and the
// answer-policy model's usage. Only where the API reports nothing is it estimated, and the usage
// row says how many tokens were estimated.

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
	rest = await startFakeOpenAI({ speech: 'tone', chatAnswer: 'Dragons love cookies. The end.', transcript: 'Tell me about dragons' })
	rt = await startFakeRealtime({ answer: 'Dragons love cookies. The end.' })
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
})

type Opts = Omit<Parameters<typeof safeToy>[0], 'codec' | 'lines' | 'store' | 'sql' | 'rest' | 'rt'>
async function toy(o: Opts) {
	const rec = await safeToy({ codec, lines, store, sql: opened.db.sql, rest, rt, made: (p) => closers.push(async () => p.close?.()), ...o })
	sessions.push(rec.session)
	return rec
}

const today = () => new Date().toISOString().slice(0, 10)

/** The toy's usage row once the turn has been settled. */
async function usageOf(deviceId: string, turns = 1) {
	let u = await store.safety.usage.get('device', deviceId, today())
	for (let i = 0; i < 100 && u.turns < turns; i++) {
		await Bun.sleep(50)
		u = await store.safety.usage.get('device', deviceId, today())
	}
	return u
}

const reported = (path: string) => rest.requests.filter((r) => r.path === path && r.usage).map((r) => r.usage!)
const sum = (us: Array<{ input: number; output: number }>) => us.reduce((a, u) => ({ input: a.input + u.input, output: a.output + u.output }), { input: 0, output: 0 })

describe('metering reports what the API billed', () => {
	test('pipeline: transcription, chat (include_usage) and the policy model, nothing estimated', async () => {
		rest.setBehaviour({ structured: scriptedPolicy({}) })
		const policy = new AnswerPolicy(new OpenAIPolicyClassifier({ apiKey: 'test', baseURL: rest.url }))
		const { session, calls, deviceId } = await toy({ mode: 'pipeline', policy })
		speak(session)
		await until(() => calls.includes('stop'))
		const chat = rest.requests.find((r) => r.path === '/v1/chat/completions' && (r.body as { stream?: boolean }).stream)!
		expect((chat.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true })
		const billed = sum([...reported('/v1/audio/transcriptions'), ...reported('/v1/chat/completions')])
		expect(reported('/v1/chat/completions')).toHaveLength(3) // the answer, and the policy model on each of its two sentences
		const used = await usageOf(deviceId)
		expect({ in: used.tokensIn, out: used.tokensOut, estimated: used.tokensEstimated }).toEqual({ in: billed.input, out: billed.output, estimated: 0 })
	}, 30_000)

	test('realtime: the response.done usage, nothing estimated', async () => {
		const n = rt.connections.length
		const { session, calls, deviceId } = await toy({ mode: 'realtime' })
		speak(session)
		await until(() => calls.includes('stop'))
		const billed = sum(rt.connections[n].usages.map((u) => ({ input: u.input_tokens, output: u.output_tokens })))
		expect(billed.input).toBeGreaterThan(0)
		const used = await usageOf(deviceId)
		expect({ in: used.tokensIn, out: used.tokensOut, estimated: used.tokensEstimated }).toEqual({ in: billed.input, out: billed.output, estimated: 0 })
	}, 30_000)

	test('the offline bear reports nothing: its tokens are estimated, and the row says so', async () => {
		const { CircuitBreaker } = await import('../../gateway/src/ai/circuit-breaker')
		const circuit = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 60_000 })
		circuit.failure()
		const { session, calls, deviceId } = await toy({ mode: 'pipeline', circuit })
		session.say('Hello Teddy')
		await until(() => calls.includes('stop'))
		expect(rest.requests).toHaveLength(0)
		const used = await usageOf(deviceId)
		expect(used.tokensIn + used.tokensOut).toBeGreaterThan(0)
		expect(used.tokensEstimated).toBe(used.tokensIn + used.tokensOut)
	}, 30_000)
})
