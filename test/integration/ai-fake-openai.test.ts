// The fake is only useful if the real SDK cannot tell it from the real API: these check the
// shapes the SDK parses (and that other teams' tests, e.g. moderation, rely on).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import OpenAI, { APIError, AuthenticationError, NotFoundError, RateLimitError } from 'openai'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'

let fake: FakeOpenAI
let client: OpenAI

beforeAll(async () => {
	fake = await startFakeOpenAI({ chatAnswer: 'Hello there, friend.', flaggedWords: { kill: 'violence' } })
	client = new OpenAI({ apiKey: 'test', baseURL: fake.url, maxRetries: 0 })
})
afterAll(() => fake.stop())

describe('fake OpenAI API', () => {
	test('non-streaming chat returns a chat.completion', async () => {
		const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
		expect(res.object).toBe('chat.completion')
		expect(res.choices[0].message.content).toBe('Hello there, friend.')
		expect(res.choices[0].finish_reason).toBe('stop')
	})

	test('streaming chat ends with finish_reason stop and reassembles the answer', async () => {
		const stream = await client.chat.completions.create({
			model: 'gpt-4o-mini',
			messages: [{ role: 'user', content: 'hi' }],
			stream: true,
			stream_options: { include_usage: true },
		})
		let text = ''
		const finishes: Array<string | null> = []
		let usage = false
		for await (const chunk of stream) {
			expect(chunk.object).toBe('chat.completion.chunk')
			if (chunk.usage) usage = true
			const c = chunk.choices[0]
			if (!c) continue
			text += c.delta.content ?? ''
			finishes.push(c.finish_reason)
		}
		expect(text).toBe('Hello there, friend.')
		expect(finishes.at(-1)).toBe('stop')
		expect(usage).toBe(true)
	})

	test('moderations flag configured words in the real result shape', async () => {
		const res = await client.moderations.create({ model: 'omni-moderation-latest', input: ['I want to kill the dragon', 'I love bears'] })
		expect(res.results[0].flagged).toBe(true)
		expect(res.results[0].categories.violence).toBe(true)
		expect(res.results[0].category_scores.violence).toBeGreaterThan(0.5)
		expect(res.results[1].flagged).toBe(false)
	})

	test('errors come in OpenAI shape and map to the SDK error classes', async () => {
		fake.failNext({ status: 429, count: 1 })
		const limited = await client.moderations.create({ input: 'x' }).catch((e) => e)
		expect(limited).toBeInstanceOf(RateLimitError)
		expect(limited.code).toBe('rate_limit_exceeded')

		fake.setBehaviour({ apiKey: 'test' })
		const wrongKey = await new OpenAI({ apiKey: 'nope', baseURL: fake.url, maxRetries: 0 }).models.list().catch((e) => e)
		expect(wrongKey).toBeInstanceOf(AuthenticationError)
		fake.setBehaviour({ apiKey: undefined })

		const missing = (await client.post('/nowhere', { body: {} }).catch((e) => e)) as NotFoundError
		expect(missing).toBeInstanceOf(NotFoundError)
		expect(missing.message).toContain('Invalid URL')

		const noMessages = await client.chat.completions.create({ model: 'gpt-4o-mini' } as never).catch((e) => e)
		expect(noMessages).toBeInstanceOf(APIError)
		expect(noMessages.status).toBe(400)
		expect(noMessages.param).toBe('messages')
	})

	test('speech refuses formats it does not render, and transcription refuses non-audio files', async () => {
		const mp3 = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'hi', response_format: 'mp3' }).catch((e) => e)
		expect(mp3.status).toBe(400)
		const notAudio = await client.audio.transcriptions
			.create({ model: 'gpt-4o-mini-transcribe', file: new File(['hello'], 'x.txt', { type: 'text/plain' }) })
			.catch((e) => e)
		expect(notAudio.status).toBe(400)
		expect(notAudio.message).toContain('Invalid file format')
	})
})
