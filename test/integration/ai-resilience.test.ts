import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { FixedLines, fixedLineTexts } from '../../gateway/src/ai/fixed-lines'
import { OfflineProvider } from '../../gateway/src/ai/offline'
import { OpenAIPipelineProvider } from '../../gateway/src/ai/openai-pipeline'
import type { ProviderEvent, TurnInput } from '../../gateway/src/ai/provider'
import { ResilientProvider, type ResilientOptions } from '../../gateway/src/ai/resilient-provider'
import { loadCodec } from '../../gateway/src/codec'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { collect } from '../support/collect'
import { recordingSession } from '../support/recording-session'

// A slow or failing upstream never leaves a child in silence: a "let me think" line fills a slow
// start, a dead upstream gets a spoken fallback and `tts stop`, transient errors are retried
// unheard, and a failing upstream is bypassed for the offline bear until it recovers.

const codec = loadCodec()
const lines = new FixedLines({ codec })
let fake: FakeOpenAI

beforeAll(async () => {
	fake = await startFakeOpenAI({ speech: 'tone' })
	await lines.warm()
})
afterAll(async () => {
	await fake.stop()
})
beforeEach(() => {
	fake.requests.length = 0
	fake.setBehaviour({ chatAnswer: 'Dragons love cookies. The end.', transcript: 'Tell me about dragons', delays: {} })
})

function resilient(extra: Partial<ResilientOptions> = {}) {
	return new ResilientProvider({
		primary: new OpenAIPipelineProvider({ apiKey: 'k', baseURL: fake.url, maxRetries: 0 }),
		fallback: new OfflineProvider(),
		lines,
		firstAudioTimeoutMs: 300,
		upstreamTimeoutMs: 900,
		backoffMs: 20,
		...extra,
	})
}

function turn(extra: Partial<TurnInput> = {}): TurnInput {
	return {
		pcm: new Int16Array(8000).map((_, i) => Math.round(3000 * Math.sin(i / 5))),
		sampleRate: 16000,
		child: { id: 'c1', name: 'Ada', age: 6 },
		history: [],
		signal: new AbortController().signal,
		downlink: { format: 'opus', sampleRate: 16000, frameMs: 60 },
		...extra,
	}
}


const sentences = (events: ProviderEvent[]) => events.flatMap((e) => (e.type === 'sentence' ? [e.text] : []))
const count = (path: string) => fake.requests.filter((r) => r.path === path).length

describe('ResilientProvider', () => {
	test('a fast answer plays without any filler line', async () => {
		const events = await collect(resilient().answer(turn()))
		expect(sentences(events)).toEqual(['Dragons love cookies.', 'The end.'])
	})

	test('a slow first answer is preceded by a spoken "let me think", then the answer', async () => {
		fake.setBehaviour({ delays: { 'chat/completions': { firstByteMs: 500 } } })
		const events = await collect(resilient().answer(turn()))
		expect(sentences(events)).toEqual([fixedLineTexts.thinking, 'Dragons love cookies.', 'The end.'])
		const think = events[events.findIndex((e) => e.type === 'sentence') + 1]
		expect(think.type === 'opus' && think.sampleRate === 16000 && think.frameMs === 60).toBe(true)
	})

	test('an upstream that never answers gets "let me think", then the fallback line, then the end', async () => {
		fake.setBehaviour({ delays: { 'chat/completions': { firstByteMs: 5000 } } })
		const t0 = performance.now()
		const events = await collect(resilient().answer(turn()))
		expect(performance.now() - t0).toBeLessThan(1500)
		expect(sentences(events)).toEqual([fixedLineTexts.thinking, fixedLineTexts.fallback])
		expect(events[0]).toEqual({ type: 'transcript', text: 'Tell me about dragons' })
		// the abandoned request was cancelled, not left running
		await Bun.sleep(50)
		expect(fake.requests.find((r) => r.path === '/v1/chat/completions')?.closedEarly).toBe(true)
	})

	test('a transient failure is retried unheard, without transcribing twice', async () => {
		fake.failNext({ route: 'chat/completions', status: 503, count: 1 })
		const events = await collect(resilient().answer(turn()))
		expect(sentences(events)).toEqual(['Dragons love cookies.', 'The end.'])
		expect(events.filter((e) => e.type === 'transcript')).toHaveLength(1)
		expect(count('/v1/chat/completions')).toBe(2)
		expect(count('/v1/audio/transcriptions')).toBe(1)
	})

	test('a non-transient failure is not retried and is answered with the fallback line', async () => {
		fake.failNext({ route: 'chat/completions', status: 400, count: 1 })
		const events = await collect(resilient().answer(turn()))
		expect(sentences(events)).toEqual([fixedLineTexts.fallback])
		expect(count('/v1/chat/completions')).toBe(1)
	})

	test('the circuit opens after repeated failures, serves the offline bear, and closes on recovery', async () => {
		const p = resilient({ retries: 0, breaker: { failureThreshold: 2, cooldownMs: 300 } })
		fake.failNext({ route: 'chat/completions', status: 500, count: 2 })
		for (let i = 0; i < 2; i++) expect(sentences(await collect(p.answer(turn({ text: 'hi' }))))).toEqual([fixedLineTexts.fallback])
		expect(p.breaker.state).toBe('open')

		const before = fake.requests.length
		const offline = await collect(p.answer(turn({ text: 'hi' })))
		expect(fake.requests.length).toBe(before) // no upstream call while open
		expect(sentences(offline)).toHaveLength(1)
		expect(offline.some((e) => e.type === 'audio')).toBe(true)

		await Bun.sleep(350)
		const probe = await collect(p.answer(turn({ text: 'hi' })))
		expect(sentences(probe)).toEqual(['Dragons love cookies.', 'The end.'])
		expect(p.breaker.state).toBe('closed')
	})

	test('a failed probe re-opens the circuit at once', async () => {
		const p = resilient({ retries: 0, breaker: { failureThreshold: 1, cooldownMs: 200 } })
		fake.failNext({ route: 'chat/completions', status: 500, count: 2 })
		await collect(p.answer(turn({ text: 'hi' })))
		expect(p.breaker.state).toBe('open')
		await Bun.sleep(250)
		await collect(p.answer(turn({ text: 'hi' })))
		expect(p.breaker.state).toBe('open')
	})

	test('an abort ends the turn quietly with no fallback line', async () => {
		fake.setBehaviour({ delays: { 'chat/completions': { firstByteMs: 5000 } } })
		const ctl = new AbortController()
		setTimeout(() => ctl.abort(), 100)
		const events = await collect(resilient().answer(turn({ signal: ctl.signal })))
		expect(sentences(events)).toEqual([])
	})
})

describe('a session on a dead upstream', () => {
	test('the toy hears the fallback line and always gets tts stop', async () => {
		fake.setBehaviour({ delays: { 'chat/completions': { firstByteMs: 5000 } } })
		const { session, calls, frames } = recordingSession(codec, resilient(), 'dead-upstream', { id: 'c', name: 'Ada', age: 6 })
		session.say('hello?')
		const deadline = Date.now() + 15_000
		while (!calls.includes('stop') && Date.now() < deadline) await Bun.sleep(50)
		expect(calls).toEqual(['transcript:hello?', 'start', `sentence:${fixedLineTexts.thinking}`, `sentence:${fixedLineTexts.fallback}`, 'stop'])
		expect(frames()).toBeGreaterThan(10)
		expect(session.state).toBe('idle')
		session.close()
	})
})
