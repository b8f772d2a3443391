import { beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { decodeAll, loadPackets } from '../../bench/lib/packets'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { loadNativeCodec, nativeCodecLoadError } from '../../gateway/src/codec/native'
import { type Codec, CodecError } from '../../gateway/src/codec/types'

// The native and opusscript codecs are the same libopus behind one interface: a toy must not be
// able to tell which one its gateway runs. Real recorded speech, 16 kHz, 60 ms packets.

const RATE = 16000
const FRAME = 960
const ASSET = join(import.meta.dir, '..', '..', 'bench', 'assets', 'speech-16k.opuspackets')

function native(): Codec {
	const codec = loadNativeCodec()
	if (!codec) throw new Error(`native module not built (run \`bun run build:native\`): ${String(nativeCodecLoadError())}`)
	return codec
}

const codecs: Array<[string, () => Codec]> = [
	['native', native],
	['fallback', () => fallbackCodec],
]

let packets: Uint8Array[]
let speech: Int16Array

function encodeAll(codec: Codec, pcm: Int16Array): Uint8Array[] {
	const enc = codec.createEncoder(RATE, 1, 'voip')
	enc.setBitrate(24_000)
	const buf = new Uint8Array(1500)
	const out: Uint8Array[] = []
	for (let at = 0; at + FRAME <= pcm.length; at += FRAME) {
		const n = enc.encode(pcm.subarray(at, at + FRAME), buf)
		out.push(buf.slice(0, n))
	}
	return out
}

function rms(x: Int16Array): number {
	if (x.length === 0) return 0
	let sum = 0
	for (const s of x) sum += s * s
	return Math.sqrt(sum / x.length)
}

// Best normalised correlation of `y` against `x` delayed by up to `maxLag` samples (the codec's lookahead).
function similarity(x: Int16Array, y: Int16Array, maxLag = 480): number {
	let best = 0
	for (let lag = 0; lag <= maxLag; lag += 2) {
		let xy = 0
		let xx = 0
		let yy = 0
		for (let i = 0; i + lag < y.length && i < x.length; i++) {
			xy += x[i] * y[i + lag]
			xx += x[i] * x[i]
			yy += y[i + lag] * y[i + lag]
		}
		best = Math.max(best, xy / Math.sqrt(xx * yy || 1))
	}
	return best
}

beforeAll(async () => {
	packets = await loadPackets(ASSET)
	speech = decodeAll(fallbackCodec, packets)
})

describe('codec parity on real speech', () => {
	test('the asset is real speech', () => {
		expect(packets.length).toBeGreaterThan(16)
		expect(speech.length).toBe(packets.length * FRAME)
		expect(rms(speech)).toBeGreaterThan(300)
	})

	test('native and fallback decode the same packets to identical PCM', () => {
		const a = decodeAll(native(), packets)
		const b = decodeAll(fallbackCodec, packets)
		expect(a.length).toBe(b.length)
		let firstDiff = -1
		for (let i = 0; i < a.length && firstDiff < 0; i++) if (a[i] !== b[i]) firstDiff = i
		expect(firstDiff).toBe(-1)
	})

	test('native-encoded speech plays on the fallback decoder', () => {
		const coded = encodeAll(native(), speech)
		expect(coded.length).toBe(packets.length)
		const back = decodeAll(fallbackCodec, coded)
		expect(back.length).toBe(speech.length)
		expect(rms(back)).toBeGreaterThan(rms(speech) * 0.5)
		expect(similarity(speech, back)).toBeGreaterThan(0.6)
	})

	test('fallback-encoded speech plays on the native decoder', () => {
		const coded = encodeAll(fallbackCodec, speech)
		expect(coded.length).toBe(packets.length)
		const back = decodeAll(native(), coded)
		expect(back.length).toBe(speech.length)
		expect(rms(back)).toBeGreaterThan(rms(speech) * 0.5)
		expect(similarity(speech, back)).toBeGreaterThan(0.6)
	})

	test('the two encoders make packets of the same size class', () => {
		const a = encodeAll(native(), speech).reduce((n, p) => n + p.length, 0)
		const b = encodeAll(fallbackCodec, speech).reduce((n, p) => n + p.length, 0)
		// both at 24 kbit/s: 180 bytes per 60 ms frame on average, give or take VBR
		expect(a).toBeGreaterThan(packets.length * 60)
		expect(b).toBeGreaterThan(packets.length * 60)
		expect(Math.abs(a - b) / Math.max(a, b)).toBeLessThan(0.25)
	})
})

describe('fallback codec, many toys at once', () => {
	// opusscript's own wrapper wrote PCM at twice its buffers' addresses, over other instances'
	// state in the shared WASM heap: one toy's audio corrupted another's, and free() trapped.
	test('100 encoders and 100 decoders used in turn give what one gives alone, and free cleanly, twice', () => {
		const frames = packets.slice(0, 12)
		const reference = decodeAll(native(), frames)
		const pcm = speech.subarray(0, frames.length * FRAME)
		// The libopus versions differ, so encoders are held to a lone fallback encoder; decoders to native.
		const referencePackets = encodeAll(fallbackCodec, pcm)
		for (let round = 0; round < 2; round++) {
			const decoders = Array.from({ length: 100 }, () => fallbackCodec.createDecoder(RATE))
			const encoders = Array.from({ length: 100 }, () => {
				const e = fallbackCodec.createEncoder(RATE, 1, 'voip')
				e.setBitrate(24_000)
				return e
			})
			const decoded = decoders.map(() => new Int16Array(frames.length * FRAME))
			const encoded = encoders.map((): number[][] => [])
			const out = new Int16Array(FRAME)
			const buf = new Uint8Array(1500)
			// Interleaved, as toys are: every codec handles frame i before any handles frame i + 1.
			for (let i = 0; i < frames.length; i++) {
				for (let d = 0; d < decoders.length; d++) {
					expect(decoders[d].decode(frames[i], out)).toBe(FRAME)
					decoded[d].set(out, i * FRAME)
				}
				for (let e = 0; e < encoders.length; e++) {
					const n = encoders[e].encode(pcm.subarray(i * FRAME, (i + 1) * FRAME), buf)
					encoded[e].push([...buf.subarray(0, n)])
				}
			}
			for (const d of decoded) expect([...d]).toEqual([...reference])
			for (const e of encoded) expect(e).toEqual(referencePackets.map((p) => [...p]))
			for (const c of [...decoders, ...encoders]) c.free()
		}
	})
})

describe.each(codecs)('%s decoder and a corrupt packet', (_name, make) => {
	const corrupt: Array<[string, Uint8Array]> = [
		['a truncated code-3 packet', new Uint8Array([0x0b])],
		['a frame count of zero', new Uint8Array([0xff, 0x00])],
		['garbage of 3 bytes', new Uint8Array([0xff, 0xff, 0xff])],
	]

	test.each(corrupt)('throws CodecError on %s and keeps decoding', (_what, bad) => {
		const dec = make().createDecoder(RATE)
		const out = new Int16Array(FRAME)
		expect(dec.decode(packets[0], out)).toBe(FRAME)
		expect(() => dec.decode(bad, out)).toThrow(CodecError)
		// the next good packets still decode to full frames, and to speech
		const after = new Int16Array(FRAME * 10)
		for (let i = 1; i <= 10; i++) {
			expect(dec.decode(packets[i], out)).toBe(FRAME)
			after.set(out, (i - 1) * FRAME)
		}
		expect(rms(after)).toBeGreaterThan(100)
	})
})
