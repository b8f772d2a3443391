import { beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { loadPackets } from '../../bench/lib/packets'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { loadNativeCodec, nativeCodecLoadError } from '../../gateway/src/codec/native'
import { type Codec, CodecError, type OpusRate, REPACKET_REFUSED } from '../../gateway/src/codec/types'
import { prng } from '../support/prng'

// The repacketizer joins the speech API's 20 ms frames into a toy's 60 ms packets without decoding.
// libopus does it on native, TypeScript on the fallback: a toy must get the same bytes from both,
// and a decoder must hear exactly what the frames held.

const ASSET = join(import.meta.dir, '..', '..', 'bench', 'assets', 'speech-16k.opuspackets')
const TARGET = 2880
const OUT = 8192

function native(): Codec {
	const codec = loadNativeCodec()
	if (!codec) throw new Error(`native module not built (run \`bun run build:native\`): ${String(nativeCodecLoadError())}`)
	return codec
}

let speech16: Int16Array

beforeAll(async () => {
	const packets = await loadPackets(ASSET)
	const dec = fallbackCodec.createDecoder(16000)
	const out = new Int16Array(960)
	const pcm: number[] = []
	for (const p of packets) pcm.push(...out.subarray(0, dec.decode(p, out)))
	speech16 = Int16Array.from(pcm)
})

function speechAt(rate: number): Int16Array {
	if (rate === 16000) return speech16
	const r = native().createResampler(16000, rate)
	const out = new Int16Array(r.maxOutput(speech16.length))
	return out.subarray(0, r.process(speech16, out))
}

/** Packets of `ms` each from real speech, as an encoder at `rate` makes them. */
function encode(rate: OpusRate, ms: number, app: 'voip' | 'audio', bitrate?: number): Uint8Array[] {
	const enc = native().createEncoder(rate, 1, app)
	if (bitrate) enc.setBitrate(bitrate)
	const pcm = speechAt(rate)
	const frame = (rate * ms) / 1000
	const buf = new Uint8Array(1500)
	const out: Uint8Array[] = []
	for (let at = 0; at + frame <= pcm.length; at += frame) out.push(buf.slice(0, enc.encode(pcm.subarray(at, at + frame), buf)))
	return out
}

type Step = { result: number | 'throws'; bytes?: number[] }

/** Every push and the final pad, as one codec's repacketizer answers them. */
function run(codec: Codec, input: Uint8Array[]): Step[] {
	const rp = codec.createRepacketizer(TARGET)
	const out = new Uint8Array(OUT)
	const steps: Step[] = []
	for (const p of input) {
		try {
			const n = rp.push(p, out)
			steps.push(n > 0 ? { result: n, bytes: [...out.subarray(0, n)] } : { result: n })
			// A refused packet starts the next group, as the downlink does after padding.
			if (n === REPACKET_REFUSED) {
				const m = rp.pad(out)
				steps.push({ result: m, bytes: [...out.subarray(0, m)] })
				const again = rp.push(p, out)
				steps.push({ result: again, bytes: again > 0 ? [...out.subarray(0, again)] : undefined })
			}
		} catch (e) {
			expect(e).toBeInstanceOf(CodecError)
			steps.push({ result: 'throws' })
		}
	}
	const n = rp.pad(out)
	steps.push({ result: n, bytes: [...out.subarray(0, n)] })
	return steps
}

function joined(steps: Step[]): Uint8Array[] {
	return steps.filter((s) => typeof s.result === 'number' && s.result > 0).map((s) => Uint8Array.from(s.bytes!))
}

function decodeAll(packets: Uint8Array[], rate: OpusRate): Int16Array {
	const dec = native().createDecoder(rate)
	const out = new Int16Array((rate * 120) / 1000)
	const pcm: number[] = []
	for (const p of packets) pcm.push(...out.subarray(0, dec.decode(p, out)))
	return Int16Array.from(pcm)
}

describe('Opus repacketizer: native and TypeScript give the same bytes', () => {
	const streams: Array<[string, () => Uint8Array[]]> = [
		['48 kHz, one config (hybrid fullband)', () => encode(48000, 20, 'audio')],
		['24 kHz voip, hybrid then SILK', () => encode(24000, 20, 'voip')],
		['SILK wideband, then hybrid fullband from the fourth frame', () => [...encode(16000, 20, 'voip').slice(0, 4), ...encode(48000, 20, 'audio')]],
		['16 kHz voip at 128 kbit/s, frames over 252 bytes', () => encode(16000, 20, 'voip', 128_000)],
		['10 ms frames', () => encode(24000, 10, 'voip')],
		['40 ms frames (never a 60 ms group)', () => encode(16000, 40, 'voip')],
		['60 ms packets pass whole', () => encode(16000, 60, 'voip')],
	]
	for (const [name, make] of streams) {
		test(name, () => {
			const input = make()
			const a = run(native(), input)
			const b = run(fallbackCodec, input)
			expect(b).toEqual(a)
			const refused = a.filter((s) => s.result === REPACKET_REFUSED).length
			// a refused packet is tried again after the pad, and refused again
			if (name.startsWith('40 ms')) expect(refused).toBe(2 * input.length)
			else expect(joined(a).length).toBeGreaterThan(0)
		})
	}

	test('padded, multi-frame and hand-framed packets', () => {
		const twenty = encode(16000, 20, 'voip')
		const f = (i: number) => twenty[i].subarray(1)
		const toc = twenty[0][0] & 0xfc
		const cat = (...parts: ArrayLike<number>[]) => Uint8Array.from(parts.flatMap((p) => [...Array.from(p)]))
		const input = [
			// code 1: two equal frames (one frame twice)
			cat([toc | 1], f(0), f(0)),
			twenty[1],
			// code 2: two frames of different sizes
			cat([toc | 2, f(2).length], f(2), f(3)),
			twenty[4],
			// code 3 CBR with padding of 300 bytes (255 + 45: two padding-length bytes)
			cat([toc | 3, 0x40 | 1, 255, 46], f(5), new Uint8Array(300)),
			// code 3 VBR of three frames
			cat([toc | 3, 0x80 | 3, f(6).length, f(7).length], f(6), f(7), f(8)),
			// a lone TOC byte: one frame of zero bytes (DTX)
			Uint8Array.of(toc),
			twenty[9],
			twenty[10],
		]
		const a = run(native(), input)
		expect(run(fallbackCodec, input)).toEqual(a)
		expect(a.some((s) => s.result === 'throws')).toBe(false)
	})

	test('garbage: both refuse or throw alike, never crash', () => {
		const rand = prng(7)
		const valid = encode(16000, 20, 'voip')
		const input: Uint8Array[] = []
		for (let i = 0; i < 3000; i++) {
			if (i % 4 === 0) input.push(valid[i % valid.length])
			else input.push(Uint8Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)))
		}
		expect(run(fallbackCodec, input)).toEqual(run(native(), input))
	})

	test('targets Opus cannot frame are refused by both', () => {
		for (const codec of [native(), fallbackCodec]) {
			for (const bad of [0, 100, 2881, 5880, -2880, 1.5]) expect(() => codec.createRepacketizer(bad)).toThrow(CodecError)
			expect(codec.createRepacketizer(960).targetSamples48k).toBe(960)
		}
	})
})

describe('joined packets play exactly like the frames', () => {
	for (const [name, codec] of [
		['native', native],
		['fallback', () => fallbackCodec],
	] as const) {
		test(`${name}: three 20 ms frames per packet, the same samples at 16 and 24 kHz`, () => {
			const frames = encode(48000, 20, 'audio')
			const out = joined(run(codec(), frames))
			expect(out.length).toBe(Math.ceil(frames.length / 3))
			for (const rate of [16000, 24000] as const) {
				const a = decodeAll(frames, rate)
				const b = decodeAll(out, rate)
				expect(b.length).toBe((out.length * rate * 60) / 1000)
				// the last packet is padded with DTX: compare what both hold
				expect(b.subarray(0, a.length - (frames.length % 3 === 0 ? 0 : (rate * 20) / 1000))).toEqual(
					a.subarray(0, a.length - (frames.length % 3 === 0 ? 0 : (rate * 20) / 1000)),
				)
			}
		})
	}
})
