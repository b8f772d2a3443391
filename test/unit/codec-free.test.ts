import { describe, expect, test } from 'bun:test'
import { FakeProvider } from '../../gateway/src/ai/fake'
import { type Codec, CodecFreedError } from '../../gateway/src/codec'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { loadNativeCodec, nativeCodecLoadError } from '../../gateway/src/codec/native'
import { countingCodec } from '../support/counting-codec'
import { recordingSession } from '../support/recording-session'

// free() releases an encoder's or decoder's state at once (issue 17 item 5): a native encoder holds
// ~44 KB that otherwise waits for the GC's finalizer, a fallback one a slice of a fixed WASM heap.
// A call after it is a bug in the caller and says so with its own error, never bad audio.

function native(): Codec {
	const codec = loadNativeCodec()
	if (!codec) throw new Error(`native module not built (run \`bun run build:native\`): ${String(nativeCodecLoadError())}`)
	return codec
}

const FRAME = 960 // 60 ms at 16 kHz

function tone(): Int16Array {
	const pcm = new Int16Array(FRAME)
	for (let i = 0; i < FRAME; i++) pcm[i] = Math.round(Math.sin((2 * Math.PI * 440 * i) / 16000) * 12000)
	return pcm
}

function thrown(call: () => unknown): unknown {
	try {
		call()
	} catch (e) {
		return e
	}
	throw new Error('the call did not throw')
}

for (const [name, codec] of [
	['native', native],
	['fallback', () => fallbackCodec],
] as const) {
	describe(`${name} codec free()`, () => {
		test('every later encoder call throws CodecFreedError; a second free is harmless', async () => {
			const enc = codec().createEncoder(16000, 1, 'voip')
			const out = new Uint8Array(1500)
			expect(enc.encode(tone(), out)).toBeGreaterThan(0)
			enc.free()
			enc.free()
			expect(() => enc.encode(tone(), out)).toThrow(CodecFreedError)
			expect(() => enc.setComplexity(3)).toThrow(CodecFreedError)
			expect(() => enc.setBitrate(24_000)).toThrow(CodecFreedError)
			expect(() => enc.reset()).toThrow(CodecFreedError)
			await expect(enc.encodeFrames(new Int16Array(FRAME * 2), FRAME, 0)).rejects.toThrow(CodecFreedError)
			expect(thrown(() => enc.encode(tone(), out))).toMatchObject({ code: 'CODEC_FREED' })
		})

		test('every later decoder call throws CodecFreedError', () => {
			const enc = codec().createEncoder(16000, 1, 'voip')
			const packet = new Uint8Array(1500)
			const n = enc.encode(tone(), packet)
			enc.free()
			const dec = codec().createDecoder(16000)
			const pcm = new Int16Array(FRAME)
			expect(dec.decode(packet.subarray(0, n), pcm)).toBe(FRAME)
			dec.free()
			dec.free()
			expect(() => dec.decode(packet.subarray(0, n), pcm)).toThrow(CodecFreedError)
			expect(() => dec.decode(null, pcm)).toThrow(CodecFreedError)
			expect(() => dec.reset()).toThrow(CodecFreedError)
		})

		test('a batch queued before free() settles instead of hanging', async () => {
			const enc = codec().createEncoder(16000, 1, 'voip')
			const batch = enc.encodeFrames(new Int16Array(FRAME * 50), FRAME, 0)
			enc.free()
			// Native: the batch is stale and comes back empty; fallback: it ran on this thread first.
			const packets = await batch
			expect(packets.length === 0 || packets.length === 50).toBe(true)
		})
	})
}

describe('a session that ends', () => {
	test('frees every encoder and decoder it made, mid-answer or after it', async () => {
		const { codec, count } = countingCodec(native())
		for (const closeMidAnswer of [false, true]) {
			const { session, calls, frames } = recordingSession(codec, new FakeProvider({ latencyMs: 20, answerMs: 1500, speed: 8 }), `free-${closeMidAnswer}`, {
				id: 'c',
				name: 'Ada',
				age: 6,
			})
			session.say('hello')
			const done = () => (closeMidAnswer ? frames() > 3 : calls.includes('stop'))
			const deadline = Date.now() + 20_000
			while (!done() && Date.now() < deadline) await Bun.sleep(20)
			expect(done()).toBe(true)
			session.close()
		}
		expect(count.encoders).toBeGreaterThanOrEqual(2)
		expect(count.encodersFreed).toBe(count.encoders)
		expect(count.decodersFreed).toBe(count.decoders)
	})
})
