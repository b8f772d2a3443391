import { beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { loadPackets } from '../../bench/lib/packets'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { loadNativeCodec, nativeCodecLoadError } from '../../gateway/src/codec/native'
import { resample } from '../../gateway/src/codec/resample'
import { type Codec, CodecError } from '../../gateway/src/codec/types'

// A gateway must send providers the same audio whether it runs the Rust module or the
// TypeScript fallback. Both resamplers compute the same f32 filter and round the same way, so
// on real speech they agree to the sample; the stated tolerance is 1 LSB with at most 0.1% of
// samples off by that (a sum landing within ~1e-12 of a half may round either way).

const TOLERANCE_LSB = 1
const MAX_OFF_FRACTION = 0.001
const ASSET = join(import.meta.dir, '..', '..', 'bench', 'assets', 'speech-16k.opuspackets')

function native(): Codec {
	const codec = loadNativeCodec()
	if (!codec) throw new Error(`native module not built (run \`bun run build:native\`): ${String(nativeCodecLoadError())}`)
	return codec
}

let speech16k: Int16Array

beforeAll(async () => {
	const packets = await loadPackets(ASSET)
	const dec = fallbackCodec.createDecoder(16000)
	const out = new Int16Array(packets.length * 960)
	const frame = new Int16Array(960)
	let at = 0
	for (const p of packets) {
		const n = dec.decode(p, frame)
		out.set(frame.subarray(0, n), at)
		at += n
	}
	speech16k = out.subarray(0, at)
})

/** Streams `input` through a codec's resampler in 60 ms chunks into one reused buffer. */
function stream(codec: Codec, input: Int16Array, inRate: number, outRate: number): Int16Array {
	const r = codec.createResampler(inRate, outRate)
	const chunk = Math.round((inRate * 60) / 1000)
	const buf = new Int16Array(Math.max(r.maxOutput(chunk), r.maxFlush()) + 64)
	const out = new Int16Array(Math.ceil((input.length * outRate) / inRate) + buf.length)
	let n = 0
	for (let at = 0; at < input.length; at += chunk) {
		const k = r.process(input.subarray(at, at + chunk), buf)
		out.set(buf.subarray(0, k), n)
		n += k
	}
	const k = r.flush(buf)
	out.set(buf.subarray(0, k), n)
	return out.subarray(0, n + k)
}

describe('native and TypeScript resamplers agree on real speech', () => {
	for (const [inRate, outRate] of [
		[16000, 24000],
		[24000, 16000],
		[22050, 16000],
	] as const) {
		test(`${inRate} → ${outRate} within ${TOLERANCE_LSB} LSB`, () => {
			const input = inRate === 16000 ? speech16k : resample(speech16k, 16000, inRate)
			const a = stream(native(), input, inRate, outRate)
			const b = stream(fallbackCodec, input, inRate, outRate)
			expect(a.length).toBe(b.length)
			let maxDiff = 0
			let off = 0
			for (let i = 0; i < a.length; i++) {
				const d = Math.abs(a[i] - b[i])
				if (d > 0) off++
				if (d > maxDiff) maxDiff = d
			}
			expect(maxDiff).toBeLessThanOrEqual(TOLERANCE_LSB)
			expect(off / a.length).toBeLessThanOrEqual(MAX_OFF_FRACTION)
			// The speech must actually be there, not two matching silences.
			expect(a.some((s) => Math.abs(s) > 3000)).toBe(true)
		})
	}
})

describe('resampler contract on both codecs', () => {
	for (const [name, codec] of [
		['native', native],
		['fallback', () => fallbackCodec],
	] as const) {
		test(`${name}: a too-small output buffer throws CodecError and consumes nothing`, () => {
			const input = speech16k.subarray(16000, 16960)
			const r = codec().createResampler(16000, 24000)
			expect(() => r.process(input, new Int16Array(10))).toThrow(CodecError)
			const out = new Int16Array(r.maxOutput(input.length))
			const n = r.process(input, out)
			const fresh = codec().createResampler(16000, 24000)
			const ref = new Int16Array(fresh.maxOutput(input.length))
			expect(n).toBe(fresh.process(input, ref))
			expect(out.subarray(0, n)).toEqual(ref.subarray(0, n))
		})

		test(`${name}: refuses unusable rates with CodecError`, () => {
			for (const [a, b] of [
				[0, 16000],
				[16000, 47999],
				[16000, 1_000_000],
			]) {
				expect(() => codec().createResampler(a, b)).toThrow(CodecError)
			}
		})
	}
})
