import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { ProviderError } from '../../gateway/src/ai/errors'
import { OpenAIPipelineProvider } from '../../gateway/src/ai/openai-pipeline'
import type { ProviderEvent, TurnInput } from '../../gateway/src/ai/provider'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { collect } from '../support/collect'

let fake: FakeOpenAI

beforeAll(async () => {
	fake = await startFakeOpenAI()
})
afterAll(async () => {
	await fake.stop()
})
beforeEach(() => {
	fake.requests.length = 0
	fake.setBehaviour({
		chatAnswer: 'Once upon a time, a friendly dragon lived on a hill. It loved to bake cookies! The end.',
		transcript: 'Hi Teddy! Can you tell me a story about a dragon?',
		speech: 'tone',
		delays: {},
	})
})

function provider(extra: Partial<ConstructorParameters<typeof OpenAIPipelineProvider>[0]> = {}) {
	return new OpenAIPipelineProvider({ apiKey: 'test-key', baseURL: fake.url, maxRetries: 0, ...extra })
}

function speechTurn(signal = new AbortController().signal, extra: Partial<TurnInput> = {}): TurnInput {
	const pcm = new Int16Array(16000)
	for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(3000 * Math.sin(i / 5))
	return {
		pcm,
		sampleRate: 16000,
		child: { id: 'c1', name: 'Lena Fischer', age: 6 },
		history: [
			{ role: 'child', text: 'I like dragons.' },
			{ role: 'assistant', text: 'Dragons are fun!' },
		],
		signal,
		...extra,
	}
}


const bodies = (path: string) => fake.requests.filter((r) => r.path === path).map((r) => r.body as Record<string, unknown>)

describe('OpenAIPipelineProvider against the fake API', () => {
	test('a spoken turn yields the transcript, sentences in order, each followed by 24 kHz audio', async () => {
		const events = await collect(provider().answer(speechTurn()))
		expect(events[0]).toEqual({ type: 'transcript', text: 'Hi Teddy! Can you tell me a story about a dragon?' })
		const sentences = events.filter((e) => e.type === 'sentence').map((e) => (e as { text: string }).text)
		expect(sentences).toEqual(['Once upon a time, a friendly dragon lived on a hill.', 'It loved to bake cookies!', 'The end.'])
		// Every sentence is followed by its audio before the next sentence starts.
		for (let i = 1; i < events.length; i++) if (events[i].type === 'sentence' && i > 1) expect(events[i - 1].type).toBe('audio')
		const audio = events.filter((e) => e.type === 'audio')
		expect(audio.every((a) => a.sampleRate === 24000)).toBe(true)
		expect(audio.reduce((n, a) => n + a.pcm.length, 0)).toBeGreaterThan(24000)

		const [upload] = bodies('/v1/audio/transcriptions')
		expect(upload.model).toBe('gpt-4o-mini-transcribe')
		expect((upload.file as { filename: string; size: number }).filename).toBe('speech.wav')
		expect((upload.file as { size: number }).size).toBe(44 + 32000)
		const [chat] = bodies('/v1/chat/completions')
		expect(chat.model).toBe('gpt-4o-mini')
		expect(chat.stream).toBe(true)
		const messages = chat.messages as Array<{ role: string; content: string }>
		expect(messages[0].role).toBe('system')
		expect(messages[0].content).toContain('Lena')
		expect(messages[0].content).not.toContain('Fischer')
		expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
		expect(messages.at(-1)?.content).toBe('Hi Teddy! Can you tell me a story about a dragon?')
		const speech = bodies('/v1/audio/speech')
		expect(speech.map((s) => s.input)).toEqual(sentences)
		expect(speech.every((s) => s.response_format === 'pcm' && s.voice === 'alloy' && s.model === 'gpt-4o-mini-tts')).toBe(true)
	})

	test('a typed turn skips transcription', async () => {
		const events = await collect(provider().answer(speechTurn(undefined, { pcm: new Int16Array(0), text: 'Tell me a joke' })))
		expect(events[0]).toEqual({ type: 'transcript', text: 'Tell me a joke' })
		expect(bodies('/v1/audio/transcriptions')).toHaveLength(0)
	})

	test('speaks real espeak audio through the SDK stream', async () => {
		fake.setBehaviour({ speech: 'espeak', chatAnswer: 'Hello little friend.' })
		const events = await collect(provider().answer(speechTurn(undefined, { text: 'hi' })))
		const pcm = events.flatMap((e) => (e.type === 'audio' ? Array.from(e.pcm) : []))
		const rms = Math.sqrt(pcm.reduce((s, x) => s + x * x, 0) / pcm.length)
		expect(pcm.length / 24000).toBeGreaterThan(0.5)
		expect(rms).toBeGreaterThan(300)
	})

	test('the first sentence is heard before the model finishes writing', async () => {
		fake.setBehaviour({ delays: { 'chat/completions': { betweenChunksMs: 40 } } })
		const t0 = performance.now()
		let firstAudioAt = 0
		for await (const e of provider().answer(speechTurn(undefined, { text: 'story please' }))) {
			if (e.type === 'audio' && !firstAudioAt) {
				firstAudioAt = performance.now() - t0
				// The chat stream must still be open: its last chunk has not been sent yet.
				const chat = fake.requests.find((r) => r.path === '/v1/chat/completions')
				expect(chat?.completed).toBe(false)
			}
		}
		expect(firstAudioAt).toBeGreaterThan(0)
		expect(fake.requests.find((r) => r.path === '/v1/chat/completions')?.completed).toBe(true)
	})

	test('abort cancels the turn quietly and stops the requests in flight', async () => {
		fake.setBehaviour({ delays: { 'chat/completions': { betweenChunksMs: 50 } } })
		const ctl = new AbortController()
		const seen: ProviderEvent[] = []
		let abortedAt = 0
		for await (const e of provider().answer(speechTurn(ctl.signal, { text: 'story please' }))) {
			seen.push(e)
			if (e.type === 'audio' && !abortedAt) {
				abortedAt = performance.now()
				ctl.abort()
			}
		}
		expect(performance.now() - abortedAt).toBeLessThan(50)
		expect(seen.filter((e) => e.type === 'sentence')).toHaveLength(1)
		await Bun.sleep(200)
		const chat = fake.requests.find((r) => r.path === '/v1/chat/completions')
		expect(chat?.closedEarly).toBe(true)
		expect(chat?.completed).toBe(false)
		expect(bodies('/v1/audio/speech')).toHaveLength(1)
	})

	test('abort during transcription ends without events or errors', async () => {
		fake.setBehaviour({ delays: { 'audio/transcriptions': { firstByteMs: 2000 } } })
		const ctl = new AbortController()
		setTimeout(() => ctl.abort(), 50)
		const t0 = performance.now()
		expect(await collect(provider().answer(speechTurn(ctl.signal)))).toEqual([])
		expect(performance.now() - t0).toBeLessThan(1000)
		expect(bodies('/v1/chat/completions')).toHaveLength(0)
	})

	test('a 500 from the chat endpoint surfaces as a ProviderError', async () => {
		fake.failNext({ status: 500, count: 1, route: 'chat/completions' })
		const err = await collect(provider().answer(speechTurn(undefined, { text: 'hi' }))).catch((e) => e)
		expect(err).toBeInstanceOf(ProviderError)
		expect(err.stage).toBe('chat')
		expect(err.status).toBe(500)
		expect(err.message).toContain('server had an error')
	})

	test('a failed speech call surfaces as a ProviderError after the sentence', async () => {
		fake.failNext({ status: 503, count: 1, route: 'audio/speech' })
		const seen: ProviderEvent[] = []
		const err = await (async () => {
			for await (const e of provider().answer(speechTurn(undefined, { text: 'hi' }))) seen.push(e)
		})().catch((e) => e)
		expect(err).toBeInstanceOf(ProviderError)
		expect(err.stage).toBe('speech')
		expect(seen.map((e) => e.type)).toEqual(['transcript', 'sentence'])
	})

	test('the SDK retries a transient 429 when retries are allowed', async () => {
		fake.failNext({ status: 429, count: 1, route: 'audio/transcriptions' })
		const events = await collect(provider({ maxRetries: 1 }).answer(speechTurn()))
		expect(events[0]?.type).toBe('transcript')
		expect(bodies('/v1/audio/transcriptions')).toHaveLength(2)
	})

	test('silence (an empty transcript) gets no answer', async () => {
		fake.setBehaviour({ transcript: '' })
		const events = await collect(provider().answer(speechTurn()))
		expect(events).toEqual([{ type: 'transcript', text: '' }])
		expect(bodies('/v1/chat/completions')).toHaveLength(0)
	})
})
