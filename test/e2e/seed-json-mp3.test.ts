import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { MPEGDecoder } from 'mpg123-decoder'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { seedUrl } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// The seed firmware asks for its answers as MP3 at 22.05 kHz (PROTOCOL.md §3): a real seed-json
// socket gets pieces of one MP3 stream, paced like Opus, ended by a final piece, and mpg123 (an
// independent decoder) plays them as the answer. Answers come from the fake provider: 1.5 s of
// voiced 24 kHz audio after 150 ms, so the length and level to expect are known.

const ANSWER_MS = 1500
const RATE = 22050
const FRAME = 576 // MPEG-2 Layer III at 22.05 kHz: one granule per frame
const PIECE_MS = ((2 * FRAME) / RATE) * 1000
// LAME's encoder delay plus a decoder's 529 samples: silence every MP3 stream starts with.
const STREAM_DELAY = 576 + 529

type Piece = { at: number; msg: Record<string, unknown> }

async function decodeMp3(pieces: Piece[]): Promise<{ pcm: Float32Array; sampleRate: number; errors: number }> {
	const bytes = Buffer.concat(pieces.map((p) => Buffer.from(String(p.msg.audio_data), 'base64')))
	const dec = new MPEGDecoder()
	await dec.ready
	const r = dec.decode(bytes)
	dec.free()
	return { pcm: r.channelData[0] ?? new Float32Array(0), sampleRate: r.sampleRate, errors: r.errors.length }
}

const rms = (x: Float32Array) => Math.sqrt(x.reduce((a, s) => a + s * s, 0) / Math.max(1, x.length)) * 32768

/** Byte lengths of the MP3 frames in a piece; throws if it is not whole frames. */
function frameLengths(b: Buffer): number[] {
	const out: number[] = []
	for (let at = 0; at < b.length; ) {
		expect(b[at]).toBe(0xff)
		// MPEG-2, Layer III, no CRC; 32 kbit/s at 22.05 kHz; mono
		expect(b[at + 1]).toBe(0xf3)
		expect(b[at + 2] & 0xfc).toBe(0x40)
		expect(b[at + 3] >> 6).toBe(3)
		const n = 104 + ((b[at + 2] >> 1) & 1)
		out.push(n)
		at += n
	}
	return out
}

class SeedToy {
	readonly ws: TestSocket

	constructor(url: string) {
		this.ws = new TestSocket(url)
	}

	/** Pieces of the answer to the `n`-th typed message (from 1), once its final piece is in. */
	async answer(text: string, n: number): Promise<Piece[]> {
		const before = this.ws.messages.length
		this.ws.send({ type: 'audio_start', audio_session_id: `s-${n}`, format: 'opus', sample_rate: 16000, response_format: 'mp3' })
		this.ws.send({ type: 'text', text })
		await this.ws.waitFor((m) => this.ws.messages.indexOf(m) >= before && m.type === 'audio_response' && m.final === true, 20_000)
		return this.pieces(before)
	}

	pieces(from = 0): Piece[] {
		return this.ws.messages
			.map((msg, i) => ({ msg, at: this.ws.messageTimes[i] }))
			.slice(from)
			.filter((p) => p.msg.type === 'audio_response')
	}
}

describe.each([
	['native', undefined],
	['fallback', 'fallback'],
] as const)('seed-json MP3 answers, %s codec', (kind, codecEnv) => {
	let gw: GatewayProcess

	beforeAll(async () => {
		gw = await startGatewayProcess({
			TEDDY_CODEC: codecEnv,
			TEDDY_PROVIDER: 'fake',
			FAKE_PROVIDER_LATENCY_MS: '150',
			FAKE_PROVIDER_ANSWER_MS: String(ANSWER_MS),
		})
	})
	afterAll(async () => {
		await gw?.stop()
	})

	test('pieces of whole frames that decode to the answer, paced in real time, then a final piece', async () => {
		const toy = new SeedToy(seedUrl(gw.wsUrl, { device_id: `mp3-${kind}-1` }))
		await toy.ws.opened
		// The first answer of a session opens with the spoken AI disclosure (a cached Opus line,
		// decoded and encoded again as MP3); the second is the provider's answer alone.
		const first = await toy.answer('Hello Teddy!', 1)
		expect(first.filter((p) => p.msg.final === true)).toHaveLength(1)
		expect((await decodeMp3(first.filter((p) => p.msg.final !== true))).errors).toBe(0)
		const pieces = await toy.answer('Tell me more!', 2)
		toy.ws.close()

		expect(toy.ws.messages.filter((m) => m.type === 'error')).toEqual([])
		for (const p of pieces) {
			expect(p.msg.format).toBe('mp3')
			expect(p.msg.sample_rate).toBe(RATE)
			expect(p.msg.frame_duration).toBe(Math.round(PIECE_MS))
		}
		expect(pieces.at(-1)?.msg.final).toBe(true)
		expect(pieces.filter((p) => p.msg.final === true)).toHaveLength(1)
		const seqs = pieces.map((p) => Number(p.msg.seq))
		expect(seqs).toEqual(seqs.map((_, i) => i))
		const audio = pieces.filter((p) => p.msg.final !== true)
		// Two frames a piece; only the stream's last piece may hold one.
		const frames = audio.map((p) => frameLengths(Buffer.from(String(p.msg.audio_data), 'base64')).length)
		expect(frames.slice(0, -1).every((n) => n === 2)).toBe(true)
		expect([1, 2]).toContain(frames.at(-1)!)

		const { pcm, sampleRate, errors } = await decodeMp3(audio)
		expect(errors).toBe(0)
		expect(sampleRate).toBe(RATE)
		const expected = (ANSWER_MS / 1000) * RATE + STREAM_DELAY
		expect(Math.abs(pcm.length - expected)).toBeLessThanOrEqual(FRAME)
		// the fake's voiced signal is about 3000 RMS; skip the stream's leading silence
		expect(rms(pcm.subarray(STREAM_DELAY))).toBeGreaterThan(1500)

		// A toy holds at most 5 pieces ahead: piece i may arrive only (i - 4) piece times after the first.
		const early = audio
			.map((p, i) => ({ i, after: p.at - audio[0].at, due: (i - 4) * PIECE_MS }))
			.filter((x) => x.i >= 5 && x.after < x.due - 25)
		expect(early).toEqual([])
	}, 30_000)

	test('a barge-in mid-answer ends it with a final piece and no more audio', async () => {
		const toy = new SeedToy(seedUrl(gw.wsUrl, { device_id: `mp3-${kind}-2` }))
		await toy.ws.opened
		const before = toy.ws.messages.length
		toy.ws.send({ type: 'audio_start', audio_session_id: 's-1', format: 'opus', sample_rate: 16000, response_format: 'mp3' })
		toy.ws.send({ type: 'text', text: 'Tell me a long story!' })
		// some of the answer, then the child speaks over it
		await toy.ws.waitFor((m) => toy.ws.messages.indexOf(m) >= before + 8 && m.type === 'audio_response', 10_000)
		const cut = toy.ws.messages.length
		toy.ws.send({ type: 'audio_start', audio_session_id: 's-3', format: 'opus', sample_rate: 16000, response_format: 'mp3' })
		await toy.ws.waitFor((m) => toy.ws.messages.indexOf(m) >= cut && m.type === 'audio_response' && m.final === true, 5_000)
		await Bun.sleep(600)
		const after = toy.ws.messages.slice(cut).filter((m) => m.type === 'audio_response')
		toy.ws.close()
		expect(after.at(-1)?.final).toBe(true)
		expect(after.filter((m) => m.final === true)).toHaveLength(1)
		const finalAt = after.findIndex((m) => m.final === true)
		expect(after.length).toBe(finalAt + 1)
		// what was heard is a clean stream up to the cut
		const heard = toy.pieces(before).filter((p) => p.msg.final !== true)
		expect(heard.length).toBeGreaterThan(0)
		expect((await decodeMp3(heard)).errors).toBe(0)
	}, 30_000)
})
