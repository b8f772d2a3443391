import { beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { MPEGDecoder } from 'mpg123-decoder'
import { loadPackets } from '../../bench/lib/packets'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { loadNativeCodec } from '../../gateway/src/codec/native'
import type { Codec, OpusRate } from '../../gateway/src/codec/types'
import { Downlink, EncodeLoad, MP3_RATE } from '../../gateway/src/session/downlink'
import { countingCodec } from '../support/counting-codec'

// What a toy is sent from provider audio: Opus frames joined into its packets without an encode,
// transcoded only where they cannot be, and MP3 cut into pieces of whole frames.

const ASSET = join(import.meta.dir, '..', '..', 'bench', 'assets', 'speech-16k.opuspackets')
const codecs: Array<[string, () => Codec]> = [
	['native', () => loadNativeCodec()!],
	['fallback', () => fallbackCodec],
]

let speech16: Int16Array

beforeAll(async () => {
	const packets = await loadPackets(ASSET)
	const dec = fallbackCodec.createDecoder(16000)
	const out = new Int16Array(960)
	const pcm: number[] = []
	for (const p of packets) pcm.push(...out.subarray(0, dec.decode(p, out)))
	speech16 = Int16Array.from(pcm)
})

function resampled(codec: Codec, rate: number): Int16Array {
	const r = codec.createResampler(16000, rate)
	const out = new Int16Array(r.maxOutput(speech16.length))
	return out.subarray(0, r.process(speech16, out))
}

/** 20 ms packets of real speech from an encoder at `rate` (one configuration for this speech at 16 and 48 kHz). */
function frames20(codec: Codec, rate: OpusRate, app: 'audio' | 'voip', count?: number): Uint8Array[] {
	const enc = codec.createEncoder(rate, 1, app)
	const pcm = resampled(codec, rate)
	const n = rate / 50
	const buf = new Uint8Array(1500)
	const out: Uint8Array[] = []
	for (let at = 0; at + n <= pcm.length && out.length < (count ?? Infinity); at += n) out.push(buf.slice(0, enc.encode(pcm.subarray(at, at + n), buf)))
	return out
}

function decode(codec: Codec, packets: Uint8Array[], rate: OpusRate): Int16Array[] {
	const dec = codec.createDecoder(rate)
	const buf = new Int16Array((rate * 120) / 1000)
	return packets.map((p) => buf.slice(0, dec.decode(p, buf)))
}

/** Drives a downlink as the session does; `streams` are the provider's Opus streams (sentences). */
async function relay(d: Downlink, streams: Uint8Array[][], chunk = 4): Promise<Uint8Array[]> {
	const out: Uint8Array[] = []
	const send = (p: Uint8Array) => out.push(p)
	for (const stream of streams) {
		d.endStream()
		await d.encode(send)
		for (let at = 0; at < stream.length; at += chunk) {
			d.pushOpus(stream.slice(at, at + chunk))
			await d.encode(send)
		}
	}
	d.flush()
	await d.encode(send)
	return out
}

describe.each(codecs)('Opus downlink from 20 ms provider frames (%s)', (_name, make) => {
	test('joins them into 60 ms packets that decode exactly like the frames, with no encoder', async () => {
		const { codec, count } = countingCodec(make())
		const frames = frames20(make(), 48000, 'audio', 50)
		const d = new Downlink(codec, new EncodeLoad(codec.encodeThreads), 'opus', 24000, 60)
		const out = await relay(d, [frames.slice(0, 31), frames.slice(31)])
		expect(count.encoders).toBe(0)
		expect(count.decoders).toBe(0)
		// 31 frames: 10 packets and one of 1 frame + 2 DTX; 19 frames: 6 and one of 1 + 2 DTX
		expect(out.length).toBe(11 + 7)
		const got = decode(make(), out, 24000)
		expect(got.every((f) => f.length === 1440)).toBe(true)
		// the joined packets hold the frames: all but the DTX completions decode sample for sample
		const want = decode(make(), frames, 24000)
		const flat = (xs: Int16Array[]) => Int16Array.from(xs.flatMap((x) => [...x]))
		expect(flat(got.slice(0, 10))).toEqual(flat(want.slice(0, 30)))
	})

	test('a configuration change inside a group transcodes that stream only; the next passes again', async () => {
		const { codec, count } = countingCodec(make())
		// SILK wideband frames, then hybrid fullband ones from the fourth: a change inside the second group.
		const mixed = [...frames20(make(), 16000, 'voip', 4), ...frames20(make(), 48000, 'audio', 41)]
		const change = 4
		const steady = frames20(make(), 48000, 'audio', 30)
		const d = new Downlink(codec, new EncodeLoad(codec.encodeThreads), 'opus', 24000, 60)
		const out = await relay(d, [mixed, steady])
		// up to the change the frames passed; from it to the end of that stream they were encoded
		const passed = Math.floor(change / 3)
		const transcoded = Math.ceil(((mixed.length - passed * 3) * 20) / 60)
		expect(count.frames).toBe(transcoded)
		expect(out.length).toBe(passed + transcoded + 10)
		expect(decode(make(), out, 24000).every((f) => f.length === 1440)).toBe(true)
		// the second stream is the provider's own frames again
		const want = decode(make(), steady, 24000)
		const got = decode(make(), out.slice(-10), 24000)
		expect(got.at(-1)).toEqual(Int16Array.from([...want[27], ...want[28], ...want[29]]))
	})

	test('a barge-in drops a partial group: nothing of it reaches the next answer', async () => {
		const { codec, count } = countingCodec(make())
		const frames = frames20(make(), 48000, 'audio', 6)
		const d = new Downlink(codec, new EncodeLoad(codec.encodeThreads), 'opus', 24000, 60)
		const out: Uint8Array[] = []
		d.pushOpus(frames.slice(0, 5))
		await d.encode((p) => out.push(p))
		expect(out.length).toBe(1)
		d.reset()
		d.flush()
		await d.encode((p) => out.push(p))
		expect(out.length).toBe(1)
		expect(count.frames).toBe(0)
	})

	test('PCM after Opus waits for the Opus: its group is completed first', async () => {
		const c = make()
		const frames = frames20(c, 48000, 'audio', 4)
		const d = new Downlink(c, new EncodeLoad(c.encodeThreads), 'opus', 24000, 60)
		const out: Uint8Array[] = []
		d.pushOpus(frames)
		d.push(resampled(c, 24000).subarray(0, 1440 * 2), 24000)
		d.flush()
		await d.encode((p) => out.push(p))
		// one joined, one completed with DTX, then two encoded frames of the PCM
		expect(out.length).toBe(4)
		expect(out[0][0] & 3).toBe(3)
		expect(out[1][1]).toBe(0x80 | 3)
	})
})

describe.each(codecs)('MP3 downlink (%s)', (_name, make) => {
	async function mp3Decode(pieces: Uint8Array[]) {
		const dec = new MPEGDecoder()
		await dec.ready
		const r = dec.decode(Buffer.concat(pieces))
		dec.free()
		return r
	}

	test('cuts the stream into pieces of two whole frames that decode to the answer', async () => {
		const c = make()
		const d = new Downlink(c, new EncodeLoad(c.encodeThreads), 'mp3', MP3_RATE, (1152 * 1000) / MP3_RATE)
		const pcm = resampled(c, 24000)
		const out: Uint8Array[] = []
		for (let at = 0; at < pcm.length; at += 2400) {
			d.push(pcm.subarray(at, at + 2400), 24000)
			await d.encode((p) => out.push(p))
		}
		d.flush()
		await d.encode((p) => out.push(p))
		for (const p of out.slice(0, -1)) expect([208, 209, 210]).toContain(p.length)
		const r = await mp3Decode(out)
		expect(r.errors).toEqual([])
		expect(r.sampleRate).toBe(MP3_RATE)
		const expected = (pcm.length * MP3_RATE) / 24000 + 576 + 529
		expect(Math.abs(r.samplesDecoded - expected)).toBeLessThanOrEqual(576)
	})

	test('a barge-in starts the next answer as a new stream, with nothing of the old one', async () => {
		const c = make()
		const d = new Downlink(c, new EncodeLoad(c.encodeThreads), 'mp3', MP3_RATE, (1152 * 1000) / MP3_RATE)
		const pcm = resampled(c, 24000)
		const first: Uint8Array[] = []
		d.push(pcm.subarray(0, 12000), 24000)
		await d.encode((p) => first.push(p))
		d.push(pcm.subarray(12000, 13000), 24000)
		// the child speaks while this is being encoded
		const late = d.encode((p) => first.push(p))
		d.reset()
		await late
		const second: Uint8Array[] = []
		d.push(pcm.subarray(0, 24000), 24000)
		d.flush()
		await d.encode((p) => second.push(p))
		const r = await mp3Decode(second)
		expect(r.errors).toEqual([])
		expect(Math.abs(r.samplesDecoded - (24000 * MP3_RATE) / 24000 - 576 - 529)).toBeLessThanOrEqual(576)
	})
})

describe.each(codecs)('downlink band (%s)', (_name, make) => {
	let c: Codec
	beforeAll(() => {
		c = make()
	})

	/** The TOC configurations (RFC 6716 §3.1) of one answer's packets, and its decoded samples. */
	async function answer(load: EncodeLoad): Promise<{ configs: Set<number>; samples: number[] }> {
		const d = new Downlink(c, load, 'opus', 24000, 60)
		const sent: Uint8Array[] = []
		d.push(resampled(c, 24000).subarray(0, 1440 * 10), 24000)
		await d.encode((p) => sent.push(p))
		d.free()
		return { configs: new Set(sent.map((p) => p[0]! >> 3)), samples: decode(c, sent, 24000).map((f) => f.length) }
	}

	test('every answer is SILK wideband (config 11), under load or not: the speech band, cheaper than hybrid', async () => {
		const light = await answer(new EncodeLoad(1))
		const busy = new EncodeLoad(1)
		for (let i = 0; i < 100; i++) busy.started()
		const heavy = await answer(busy)
		// 24 kbit/s at 24 kHz: left alone, Opus picks hybrid (SILK + CELT, configs 12-15)
		expect([...light.configs]).toEqual([11])
		expect([...heavy.configs]).toEqual([11])
		// the toy decodes both at its rate, 60 ms a packet
		expect(heavy.samples).toEqual(Array(10).fill(1440))
		expect(light.samples).toEqual(Array(10).fill(1440))
	})
})

describe('encode load', () => {
	test('belongs to one gateway: answers encoding on one do not lower the complexity of another', async () => {
		const codec = fallbackCodec
		const busy = new EncodeLoad(1)
		// 40 answers in flight on one encode thread: the next one gets complexity 1, not 5.
		for (let i = 0; i < 40; i++) busy.started()
		expect(busy.started()).toBe(1)
		const own = new EncodeLoad(1)
		const d = new Downlink(codec, own, 'opus', 24000, 60)
		const sent: Uint8Array[] = []
		d.push(new Int16Array(1440 * 3), 24000)
		await d.encode((p) => sent.push(p))
		expect(sent.length).toBe(3)
		// this downlink's answer counts on its own gateway's load only
		expect(own.answers).toBe(1)
		expect(busy.answers).toBe(41)
		d.reset()
		expect(own.answers).toBe(0)
		expect(own.started()).toBe(5)
	})
})
