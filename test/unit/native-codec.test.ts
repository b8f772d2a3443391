import { describe, expect, test } from 'bun:test'
import { loadNativeCodec, nativeCodecLoadError } from '../../gateway/src/codec/native'
import { type Codec, CodecError } from '../../gateway/src/codec/types'
import vectors from '../vectors/auth.json'

// ! These tests fail (never skip) when native/ is not built: a silently skipped native suite
//   would let CI ship the opusscript fallback without anyone noticing.
const codec = loadNativeCodec()

function native(): Codec {
	if (!codec) {
		throw new Error(`native module not built (run \`bun run build:native\`): ${String(nativeCodecLoadError())}`)
	}
	return codec
}

const RATE = 16000
const FRAME = 960 // 60 ms at 16 kHz, the toys' frame

function sine(samples: number, offset = 0, freq = 440): Int16Array {
	const pcm = new Int16Array(samples)
	for (let i = 0; i < samples; i++) pcm[i] = Math.round(Math.sin((2 * Math.PI * freq * (i + offset)) / RATE) * 12000)
	return pcm
}

function rms(x: Int16Array): number {
	let sum = 0
	for (const s of x) sum += s * s
	return Math.sqrt(sum / x.length)
}

describe('native codec', () => {
	test('loads the built module', () => {
		expect(native().kind).toBe('native')
	})

	describe('token verifier', () => {
		test('accepts every legacy and v2 vector', () => {
			const verifier = native().createTokenVerifier(vectors.secret)
			for (const c of vectors.cases) {
				expect(verifier.verify(c.device_id, c.legacy_token)).toEqual({ kind: 'legacy' })
				expect(verifier.verify(c.device_id, c.v2.token)).toEqual({ kind: 'v2', ts: c.v2.ts, nonce: c.v2.nonce })
			}
		})

		test('rejects every must_reject vector', () => {
			const verifier = native().createTokenVerifier(vectors.secret)
			for (const r of vectors.must_reject) expect(verifier.verify(r.device_id, r.token)).toBeNull()
		})

		test('rejects a legacy token of another device and a wrong secret', () => {
			const verifier = native().createTokenVerifier(vectors.secret)
			const [a, b] = vectors.cases
			expect(verifier.verify(b.device_id, a.legacy_token)).toBeNull()
			const other = native().createTokenVerifier('another-secret')
			expect(other.verify(a.device_id, a.legacy_token)).toBeNull()
			expect(other.verify(a.device_id, a.v2.token)).toBeNull()
		})
	})

	describe('opus', () => {
		test('round trips a sine at 16 kHz in 60 ms frames', () => {
			const enc = native().createEncoder(RATE, 1, 'voip')
			const dec = native().createDecoder(RATE)
			const packet = new Uint8Array(1500)
			const out = new Int16Array(FRAME)
			let inEnergy = 0
			let outEnergy = 0
			for (let f = 0; f < 20; f++) {
				const pcm = sine(FRAME, f * FRAME)
				const n = enc.encode(pcm, packet)
				expect(n).toBeGreaterThan(0)
				expect(dec.decode(packet.subarray(0, n), out)).toBe(FRAME)
				if (f >= 2) {
					inEnergy += rms(pcm)
					outEnergy += rms(out)
				}
			}
			const ratio = outEnergy / inEnergy
			expect(ratio).toBeGreaterThan(0.7)
			expect(ratio).toBeLessThan(1.3)
		})

		test('accepts a Buffer as packet and output', () => {
			const enc = native().createEncoder(RATE)
			const dec = native().createDecoder(RATE)
			const packet = Buffer.alloc(1500)
			const n = enc.encode(sine(320), packet)
			expect(dec.decode(packet.subarray(0, n), new Int16Array(320))).toBe(320)
		})

		test('conceals a lost packet over the requested length', () => {
			const dec = native().createDecoder(RATE)
			for (const samples of [320, 960, 1920]) expect(dec.decode(null, new Int16Array(samples))).toBe(samples)
		})

		test('throws CodecError on a corrupt packet and keeps decoding', () => {
			const enc = native().createEncoder(RATE)
			const dec = native().createDecoder(RATE)
			const packet = new Uint8Array(1500)
			const out = new Int16Array(FRAME)
			dec.decode(packet.subarray(0, enc.encode(sine(FRAME), packet)), out)

			for (const garbage of [[0xff, 0xff, 0xff], [0x03, 0x00], []]) {
				const err = (() => {
					try {
						dec.decode(new Uint8Array(garbage), out)
					} catch (e) {
						return e
					}
				})()
				expect(err).toBeInstanceOf(CodecError)
				expect((err as CodecError).code).toBe('INVALID_AUDIO')
			}

			const n = enc.encode(sine(FRAME, FRAME), packet)
			expect(dec.decode(packet.subarray(0, n), out)).toBe(FRAME)
			expect(rms(out)).toBeGreaterThan(1000)
		})

		test('refuses an illegal frame size with a message naming the size', () => {
			const enc = native().createEncoder(RATE)
			expect(() => enc.encode(new Int16Array(100), new Uint8Array(1500))).toThrow(/100 samples/)
		})

		test('refuses a sample rate Opus does not have', () => {
			expect(() => native().createDecoder(44100 as 16000)).toThrow(/44100/)
		})

		test('takes bitrate and complexity, and rejects out-of-range values', () => {
			const enc = native().createEncoder(RATE, 1, 'audio')
			enc.setBitrate(24000)
			enc.setComplexity(5)
			enc.reset()
			expect(() => enc.setBitrate(1)).toThrow(/bitrate/)
			expect(() => enc.setComplexity(11)).toThrow(/complexity/)
			expect(enc.encode(sine(320), new Uint8Array(1500))).toBeGreaterThan(0)
		})

		test('encodeFrames off the JS thread makes the same packets as encode() frame by frame', async () => {
			const pcm = sine(FRAME * 6)
			const one = native().createEncoder(RATE)
			const buf = new Uint8Array(1500)
			const expected: number[][] = []
			for (let at = 0; at < pcm.length; at += FRAME) {
				const n = one.encode(pcm.subarray(at, at + FRAME), buf)
				expected.push([...buf.subarray(0, n)])
			}
			const batch = native().createEncoder(RATE)
			// The samples are copied when the call is made: overwriting them at once changes nothing.
			const pending = batch.encodeFrames(pcm, FRAME, 0)
			pcm.fill(0)
			const packets = await pending
			expect(packets.map((p) => [...p])).toEqual(expected)
		})

		test('a reset before a queued batch runs makes it come back empty, and the next batch starts clean', async () => {
			const enc = native().createEncoder(RATE)
			const fresh = native().createEncoder(RATE)
			// Many batches queued at once: the reset lands before most of them have started.
			const queued = Array.from({ length: 50 }, () => enc.encodeFrames(sine(FRAME * 4), FRAME, 0))
			enc.reset()
			const results = await Promise.all(queued)
			expect(results.some((r) => r.length === 0)).toBe(true)
			const after = await enc.encodeFrames(sine(FRAME * 2), FRAME, 0)
			const clean = await fresh.encodeFrames(sine(FRAME * 2), FRAME, 0)
			expect(after.map((p) => [...p])).toEqual(clean.map((p) => [...p]))
		})

		test('encodeFrames serves the batch due soonest first, not the one queued first', async () => {
			const ahead = native().createEncoder(RATE)
			const urgent = native().createEncoder(RATE)
			const order: string[] = []
			// Thirty batches of an answer half a second ahead, then the first batch of a new answer.
			const later = Array.from({ length: 30 }, (_, i) =>
				ahead.encodeFrames(sine(FRAME * 4), FRAME, 500).then(() => order.push(`ahead-${i}`)),
			)
			const soon = urgent.encodeFrames(sine(FRAME * 4), FRAME, 0).then(() => order.push('urgent'))
			await Promise.all([...later, soon])
			// Only batches already being encoded when it arrived (one per encode thread) go before it.
			expect(order.indexOf('urgent')).toBeLessThan(5)
		})

		test('encodeFrames rejects an illegal frame size with a CodecError', async () => {
			const enc = native().createEncoder(RATE)
			await expect(enc.encodeFrames(new Int16Array(300), 100, 0)).rejects.toBeInstanceOf(CodecError)
		})
	})
})
