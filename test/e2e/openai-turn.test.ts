import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { loadPackets } from '../../bench/lib/packets'
import { sessionIntro } from '../../gateway/src/safety/fixed-lines'
import { runSeedTurn } from '../../bench/lib/seed-client'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'
import { seedUrl } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// A spoken turn through an OpenAI-compatible server (STT → chat → TTS), faked on loopback: the
// toy hears the model's answer, the model is told who it talks to, and a failing model never
// leaves a toy waiting forever.

const ASSET = join(import.meta.dir, '..', '..', 'bench', 'assets', 'speech-16k.opuspackets')
const TRANSCRIPT = 'Can you tell me a story about a brave little turtle?'
const ANSWER = 'Once there was a brave little turtle. She swam all the way to the moon!'

let fake: FakeOpenAI
let gw: GatewayProcess
let packets: Uint8Array[]

beforeAll(async () => {
	packets = await loadPackets(ASSET)
	fake = await startFakeOpenAI({ transcript: TRANSCRIPT, chatAnswer: ANSWER, speech: 'tone' })
	gw = await startGatewayProcess({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test' })
})

afterAll(async () => {
	await gw?.stop()
	await fake?.stop()
})

type Body = Record<string, unknown>

describe('spoken turn through an OpenAI-compatible server', () => {
	test('the toy hears the model answer its transcribed words', async () => {
		const r = await runSeedTurn({
			url: gw.wsUrl,
			deviceId: 'openai-toy-1',
			secret: TEST_SECRET,
			child: { id: 'child-openai-1', name: 'Mia Jones', age: 7 },
			packets,
			paced: false,
		})
		expect(r.errors).toEqual([])
		expect(r.transcripts).toEqual([TRANSCRIPT])
		expect(r.final).toBe(true)
		expect(r.audioSeconds).toBeGreaterThanOrEqual(1)
		expect(r.rms).toBeGreaterThan(300)
		// the first answer of a session opens with the AI disclosure (gateway/src/safety/fixed-lines.ts)
		expect(r.answerTexts.join(' ')).toBe(`${sessionIntro} ${ANSWER}`)

		const paths = fake.requests.map((q) => q.path)
		expect(paths).toContain('/v1/audio/transcriptions')
		expect(paths).toContain('/v1/chat/completions')
		expect(paths).toContain('/v1/audio/speech')

		const stt = fake.requests.find((q) => q.path === '/v1/audio/transcriptions')!.body as Body
		const file = stt.file as { filename: string; size: number }
		// the child's ~4 s of speech reached the transcriber as the toy's own Opus in Ogg, not an empty file
		expect(file.filename).toBe('speech.ogg')
		expect(file.size).toBeGreaterThan(packets.reduce((n, p) => n + p.length, 0))

		const chat = fake.requests.find((q) => q.path === '/v1/chat/completions')!.body as Body
		const messages = chat.messages as Array<{ role: string; content: string }>
		expect(messages[0].role).toBe('system')
		expect(messages[0].content).toContain('Mia')
		// first name only: the surname never goes to the provider
		expect(messages[0].content).not.toContain('Jones')
		expect(messages.at(-1)).toEqual({ role: 'user', content: TRANSCRIPT })
		// who is asking, as a keyed hash only; and the tokens the API reports are what is metered
		expect(chat.safety_identifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
		expect(JSON.stringify(chat)).not.toContain('openai-toy-1')
		expect(chat.stream_options).toEqual({ include_usage: true })

		const spoken = fake.requests.filter((q) => q.path === '/v1/audio/speech').map((q) => (q.body as Body).input)
		expect(spoken.join(' ')).toBe(ANSWER)
	})

	test('a failing chat model still ends the turn and keeps the socket', async () => {
		const before = fake.requests.length
		// the SDK retries once, so both attempts fail
		fake.failNext({ route: 'chat/completions', status: 500, count: 2 })
		const toy = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'openai-toy-2' }))
		await toy.opened
		const sessionId = crypto.randomUUID()
		toy.send({ type: 'audio_start', audio_session_id: sessionId, format: 'opus', sample_rate: 16000, response_format: 'opus' })
		for (const p of packets) {
			toy.send({
				type: 'audio_chunk',
				audio_data: Buffer.from(p).toString('base64'),
				chunk_id: crypto.randomUUID(),
				audio_session_id: sessionId,
				is_final: false,
			})
		}
		toy.send({ type: 'audio_end', audio_session_id: sessionId })

		await toy.waitFor((m) => m.type === 'transcript', 20_000)
		const final = await toy.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
		expect(final.frame_duration).toBe(60)
		expect(fake.requests.slice(before).some((q) => q.path === '/v1/chat/completions')).toBe(true)

		// still connected and served
		toy.send({ type: 'ping' })
		await toy.waitFor((m) => m.type === 'pong')
		expect(toy.readyState).toBe(WebSocket.OPEN)
		toy.close()
		await toy.closed
	})

	test('the next turn works again after the failure', async () => {
		const r = await runSeedTurn({ url: gw.wsUrl, deviceId: 'openai-toy-3', secret: TEST_SECRET, text: 'Hello again' })
		expect(r.errors).toEqual([])
		expect(r.transcripts).toEqual(['Hello again'])
		expect(r.final).toBe(true)
		expect(r.rms).toBeGreaterThan(300)
	})
})
