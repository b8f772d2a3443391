import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { loadPackets } from '../../bench/lib/packets'
import { OpenAIPipelineProvider } from '../../gateway/src/ai/openai-pipeline'
import type { ProviderEvent, TurnInput } from '../../gateway/src/ai/provider'
import { loadCodec, type OpusRate } from '../../gateway/src/codec'
import { createLogger } from '../../gateway/src/obs/logger'
import { Downlink, EncodeLoad } from '../../gateway/src/session/downlink'
import { Session } from '../../gateway/src/session/session'
import { collect } from '../support/collect'
import { countingCodec } from '../support/counting-codec'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'

// Opus end to end without transcoding: the toy's uplink packets reach transcription as Ogg Opus,
// and speech asked for as Ogg Opus reaches the toy as the provider's own packets, which a 16 kHz
// device decoder plays as the right sound.

const ASSET = join(import.meta.dir, '..', '..', 'bench', 'assets', 'speech-16k.opuspackets')
const codec = loadCodec()
let fake: FakeOpenAI
let uplink: Uint8Array[]

beforeAll(async () => {
	uplink = await loadPackets(ASSET)
	fake = await startFakeOpenAI({ speech: 'tone', chatAnswer: 'A tone for you. And another one!' })
})
afterAll(async () => {
	await fake.stop()
})
beforeEach(() => {
	fake.requests.length = 0
	fake.setBehaviour({ speechOpusFrameMs: 60, speechOpusApplication: 'audio', speech: 'tone', chatAnswer: 'A tone for you. And another one!' })
})

const provider = () => new OpenAIPipelineProvider({ apiKey: 'k', baseURL: fake.url, maxRetries: 0, codec })

function turn(extra: Partial<TurnInput> = {}): TurnInput {
	return {
		pcm: new Int16Array(16000).map((_, i) => Math.round(3000 * Math.sin(i / 5))),
		sampleRate: 16000,
		child: { id: 'c', name: 'Ada', age: 6 },
		history: [],
		signal: new AbortController().signal,
		downlink: { format: 'opus', sampleRate: 16000, frameMs: 60 },
		...extra,
	}
}


/** What the toy is sent, through the session's own downlink. */
async function toToy(events: ProviderEvent[], rate: 16000 | 24000): Promise<Uint8Array[]> {
	const d = new Downlink(codec, new EncodeLoad(codec.encodeThreads), 'opus', rate, 60)
	const out: Uint8Array[] = []
	const send = (p: Uint8Array) => out.push(p)
	for (const e of events) {
		if (e.type === 'opus') d.pushOpus(e.packets)
		else if (e.type === 'audio') d.push(e.pcm, e.sampleRate)
		await d.encode(send)
	}
	d.flush()
	await d.encode(send)
	return out
}

/** Decodes as an ESP32 would: its own decoder at the rate it was told (16 kHz), 60 ms per packet. */
function deviceDecode(kind: 'native' | 'fallback', packets: Uint8Array[], rate: OpusRate = 16000): Int16Array {
	const dec = loadCodec(kind).createDecoder(rate)
	const buf = new Int16Array(rate * 0.12)
	const out: number[] = []
	for (const p of packets) {
		const n = dec.decode(p, buf)
		expect(n).toBe(rate * 0.06)
		out.push(...buf.subarray(0, n))
	}
	return Int16Array.from(out)
}

/** One typed turn through a real Session on an Opus downlink; what the toy would be sent. */
async function sessionTurn(kind: 'native' | 'fallback', rate: OpusRate, text: string) {
	const base = loadCodec(kind)
	const { codec, count } = countingCodec(base)
	const packets: Uint8Array[] = []
	const sentences: string[] = []
	let ended: () => void = () => {}
	const done = new Promise<void>((resolve) => (ended = resolve))
	const session = new Session(
		{
			codec,
			// ? The provider gets the plain codec: only the downlink's encodes are counted.
			provider: new OpenAIPipelineProvider({ apiKey: 'k', baseURL: fake.url, maxRetries: 0, codec: base }),
			log: createLogger('silent'),
			child: { id: 'c', name: 'Ada', age: 6 },
			deviceId: `pass-${kind}-${rate}`,
			turnMaxMs: 30_000,
			downlink: { format: 'opus', sampleRate: rate, frameMs: 60 },
		},
		{ transcript: () => {}, speechStart: () => {}, sentence: (t) => sentences.push(t), audio: (p) => packets.push(p), speechEnd: () => ended() },
	)
	session.say(text)
	await done
	session.close()
	return { packets, sentences, count }
}

/** Dominant frequency by zero crossings, skipping the codec's start-up. */
function pitch(pcm: Int16Array, rate: number): number {
	const s = pcm.subarray(rate * 0.1)
	let crossings = 0
	for (let i = 1; i < s.length; i++) if ((s[i - 1] < 0) !== (s[i] < 0)) crossings++
	return crossings / 2 / (s.length / rate)
}

const rms = (pcm: Int16Array) => Math.sqrt(pcm.reduce((a, x) => a + x * x, 0) / Math.max(1, pcm.length))

describe('Opus pass-through on the pipeline', () => {
	for (const kind of ['native', 'fallback'] as const) {
		test(`speech packets reach a 16 kHz toy unchanged and decode to the right tone (${kind} decoder)`, async () => {
			const events = await collect(provider().answer(turn({ text: 'beep' })))
			const speech = fake.requests.filter((r) => r.path === '/v1/audio/speech').map((r) => r.body as Record<string, unknown>)
			expect(speech.every((s) => s.response_format === 'opus')).toBe(true)
			const opus = events.filter((e) => e.type === 'opus')
			expect(opus.length).toBeGreaterThan(0)
			expect(events.some((e) => e.type === 'audio')).toBe(false)
			expect(opus.every((e) => e.sampleRate === 16000 && e.frameMs === 60)).toBe(true)

			const provided = opus.flatMap((e) => [...e.packets])
			const sent = await toToy(events, 16000)
			// byte-identical: no decode, no re-encode on the gateway
			expect(sent.length).toBe(provided.length)
			for (let i = 0; i < sent.length; i++) expect(sent[i]).toBe(provided[i])

			const pcm = deviceDecode(kind, sent)
			// the fake speaks 60 ms of 440 Hz per character of each sentence
			const chars = 'A tone for you.'.length + 'And another one!'.length
			expect(Math.abs(pcm.length / 16000 - chars * 0.06)).toBeLessThan(0.2)
			expect(rms(pcm)).toBeGreaterThan(2000)
			expect(Math.abs(pitch(pcm, 16000) - 440)).toBeLessThan(15)
		})
	}

	test('20 ms provider frames are re-framed into 60 ms packets the toy can play', async () => {
		fake.setBehaviour({ speechOpusFrameMs: 20 })
		const events = await collect(provider().answer(turn({ text: 'beep' })))
		expect(events.filter((e) => e.type === 'opus').every((e) => e.type === 'opus' && e.frameMs === 20)).toBe(true)
		const pcm = deviceDecode('native', await toToy(events, 16000))
		expect(Math.abs(pitch(pcm, 16000) - 440)).toBeLessThan(15)
	})

	test('a pcm16 toy gets PCM speech, not Opus to decode', async () => {
		const events = await collect(provider().answer(turn({ text: 'beep', downlink: { format: 'pcm16', sampleRate: 16000, frameMs: 60 } })))
		expect(events.some((e) => e.type === 'opus')).toBe(false)
		expect(fake.requests.filter((r) => r.path === '/v1/audio/speech').every((r) => (r.body as Record<string, unknown>).response_format === 'pcm')).toBe(true)
	})
})

describe("the real speech API's 20 ms Ogg Opus (48 kHz header)", () => {
	const SENTENCES = ['A tone for you.', 'And another one!']
	// ? Real-time pacing makes each turn last as long as its audio: one rate per codec.
	for (const [kind, rate] of [
		['native', 24000],
		['fallback', 16000],
	] as const) {
		test(`reaches a ${rate / 1000} kHz toy in 60 ms packets without one encode (${kind})`, async () => {
			fake.setBehaviour({ speechOpusFrameMs: 20, chatAnswer: SENTENCES.join(' ') })
			const { packets, sentences, count } = await sessionTurn(kind, rate, 'beep')
			expect(fake.requests.filter((r) => r.path === '/v1/audio/speech').every((r) => (r.body as Record<string, unknown>).response_format === 'opus')).toBe(true)
			expect(sentences).toEqual(SENTENCES)
			expect(count.encoders).toBe(0)
			expect(count.frames).toBe(0)
			expect(count.decoders).toBe(0)
			// every packet is one 60 ms packet a toy decodes cleanly at the rate it was told
			const pcm = deviceDecode(kind, packets, rate)
			// 60 ms of tone per character; each sentence's last packet is completed with DTX
			const seconds = SENTENCES.reduce((a, t) => a + t.length * 0.06, 0)
			expect(Math.abs(pcm.length / rate - seconds)).toBeLessThanOrEqual(2 * 0.06)
			expect(rms(pcm)).toBeGreaterThan(2000)
			expect(Math.abs(pitch(pcm, rate) - 440)).toBeLessThan(15)
		})
	}
})

describe('a speech stream that changes Opus configuration mid-stream', () => {
	for (const kind of ['native', 'fallback'] as const) {
		test(`is transcoded from the change to its end, and the toy still gets clean 60 ms packets (${kind})`, async () => {
			// libopus tuned for voip starts espeak's speech in CELT and moves to hybrid a few frames in.
			const SENTENCES = ['Once upon a time there was a bear.']
			fake.setBehaviour({ speech: 'espeak', speechOpusFrameMs: 20, speechOpusApplication: 'audio', chatAnswer: SENTENCES.join(' ') })
			const steady = await sessionTurn(kind, 24000, 'story')
			expect(steady.count.frames).toBe(0)
			fake.setBehaviour({ speechOpusApplication: 'voip' })
			const { packets, count } = await sessionTurn(kind, 24000, 'story')
			const pcm = deviceDecode(kind, packets, 24000)
			// as long as the same speech passed through whole (each sentence ±1 packet of padding)
			expect(Math.abs(packets.length - steady.packets.length)).toBeLessThanOrEqual(SENTENCES.length)
			expect(rms(pcm)).toBeGreaterThan(300)
			// some of each sentence was transcoded, the rest passed through
			expect(count.encoders).toBe(1)
			expect(count.frames).toBeGreaterThan(0)
			expect(count.frames).toBeLessThan(packets.length)
		}, 30_000)
	}
})

describe('Ogg Opus upload for transcription', () => {
	type Upload = { filename: string; type: string; size: number; bytes: Uint8Array }
	const upload = () => (fake.requests.find((r) => r.path === '/v1/audio/transcriptions')!.body as { file: Upload }).file

	test("the toy's own packets are muxed, not transcoded", async () => {
		await collect(provider().answer(turn({ opusPackets: uplink, opusRate: 16000 })))
		const file = upload()
		expect(file.filename).toBe('speech.ogg')
		expect(String.fromCharCode(...file.bytes.subarray(0, 4))).toBe('OggS')
		const demux = codec.createOggDemuxer()
		const back = demux.push(file.bytes)
		demux.end()
		expect(back.length).toBe(uplink.length)
		for (let i = 0; i < back.length; i++) expect(Buffer.from(back[i]).equals(Buffer.from(uplink[i]))).toBe(true)
		// a fraction of the same speech as WAV
		expect(file.size).toBeLessThan(uplink.length * 0.06 * 32000 * 0.25)
	})

	test('PCM without packets is encoded once into Ogg Opus', async () => {
		await collect(provider().answer(turn()))
		const file = upload()
		expect(file.filename).toBe('speech.ogg')
		const demux = codec.createOggDemuxer()
		const packets = demux.push(file.bytes)
		demux.end()
		expect(packets.length).toBe(Math.ceil(16000 / 960))
	})
})
