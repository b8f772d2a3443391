import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import OpusScript from 'opusscript'
import { render } from '../../bench/lib/speech-corpus'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// A child who stops mid-sentence to think is answered once, for the whole sentence: a real
// gateway in auto mode (its VAD ends the turn), a toy speaking xiaozhi v3, the transcriber faked.

const FRAME = 960 // 60 ms at 16 kHz
const PAUSE_MS = 1000

let fake: FakeOpenAI
let db: TestDatabase
let gw: GatewayProcess
let packets: Uint8Array[] // the sentence, then 3 s of quiet
let sentenceMs: number

function encode(pcm: Int16Array): Uint8Array[] {
	const enc = new OpusScript(16000, 1, OpusScript.Application.VOIP)
	const out: Uint8Array[] = []
	for (let at = 0; at + FRAME <= pcm.length; at += FRAME) {
		const frame = Buffer.from(pcm.buffer, pcm.byteOffset + at * 2, FRAME * 2)
		out.push(new Uint8Array(enc.encode(frame, FRAME)))
	}
	enc.delete()
	return out
}

beforeAll(async () => {
	// "I want to … play a game with you.": high, slow, a 1 s pause after "to".
	const voice = { voice: 'en+f4', speed: 120, pitch: 90 }
	const sentence = render(`<speak>I want to <break time="${PAUSE_MS}ms"/> play a game with you.</speak>`, voice, true)
	sentenceMs = (sentence.length * 1000) / 16000
	const pcm = new Int16Array(Math.ceil((sentence.length + 3 * 16000) / FRAME) * FRAME)
	pcm.set(sentence)
	packets = encode(pcm)
	fake = await startFakeOpenAI({ transcript: 'I want to play a game with you.', chatAnswer: 'Let us play!', speech: 'tone' })
	db = await createTestDatabase()
	gw = await startGatewayProcess({ DATABASE_URL: db.url, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test' })
})

afterAll(async () => {
	await gw?.stop()
	await fake?.stop()
	await db?.drop()
})

/** Packets in an Ogg Opus file. */
function oggPackets(bytes: Uint8Array): number {
	const demux = fallbackCodec.createOggDemuxer()
	const n = demux.push(bytes).length
	demux.end()
	return n
}

describe('turn taking with a child who pauses to think', () => {
	test('a sentence with a 1 s pause in the middle is answered once, as one turn', async () => {
		const s = new TestSocket(`${gw.wsUrl}/xiaozhi/v1/`, {
			Authorization: `Bearer ${v2Token('turn-child-1')}`,
			'Protocol-Version': '3',
			'Device-Id': 'turn-child-1',
			'Client-Id': 'c1',
		})
		await s.opened
		s.send({ type: 'hello', version: 3, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
		await s.waitFor((m) => m.type === 'hello')
		s.send({ type: 'listen', state: 'start', mode: 'auto' })
		for (const p of packets) {
			const framed = new Uint8Array(4 + p.length)
			new DataView(framed.buffer).setUint16(2, p.length)
			framed.set(p, 4)
			s.send(framed)
		}
		await s.waitFor((m) => m.type === 'tts' && m.state === 'stop', 30_000)
		// Nothing more is coming: a second turn would have been transcribed by now.
		await Bun.sleep(500)
		const stt = fake.requests.filter((q) => q.path === '/v1/audio/transcriptions')
		expect(stt.length).toBe(1)
		// The one turn holds the words after the pause: the toy's Opus covers the whole sentence.
		const file = (stt[0].body as { file: { bytes: Uint8Array } }).file
		const turnMs = oggPackets(file.bytes) * 60
		expect(turnMs).toBeGreaterThanOrEqual(sentenceMs - 200)
		expect(s.messages.filter((m) => m.type === 'tts' && m.state === 'start').length).toBe(1)
		s.close()
	})
})
