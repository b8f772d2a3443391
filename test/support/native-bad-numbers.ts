import { createRequire } from 'node:module'

// Child process for test/unit/native-bad-numbers.test.ts: calls every method of the native module
// with numbers JS can produce but Rust must not trust (NaN, ±Infinity, negatives, huge, fractions).
// Each call either returns or throws a JS error; a panic that aborts the process is the failure.
// Prints one `ok <case>` line per call that came back, so the test can name the one that did not.

// biome-ignore lint/suspicious/noExplicitAny: the raw napi module, on purpose without its wrapper
const native: any = createRequire(import.meta.url)('../../native/index.js')

const BAD = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -0.5, 0, 1.5, 2 ** 31, 2 ** 32 + 5, 2 ** 53, 1e308, -1e308]

async function call(name: string, f: () => unknown): Promise<void> {
	try {
		await f()
	} catch {
		// a thrown JS error is a fine answer to bad input
	}
	console.log(`ok ${name}`)
}

const pcm = new Int16Array(2880)
const out8 = new Uint8Array(1500)
const out16 = new Int16Array(8192)

for (const x of BAD) {
	await call(`OpusDecoder(${x}, 1)`, () => new native.OpusDecoder(x, 1))
	await call(`OpusDecoder(16000, ${x})`, () => new native.OpusDecoder(16000, x))
	await call(`OpusEncoder(${x}, 1)`, () => new native.OpusEncoder(x, 1, 'voip'))
	await call(`OpusEncoder(24000, ${x})`, () => new native.OpusEncoder(24000, x, 'voip'))
	const enc = new native.OpusEncoder(24000, 1, 'voip')
	await call(`encodeFrames(dueMs=${x})`, () => enc.encodeFrames(pcm, 1440, x))
	await call(`encodeFrames(frameSamples=${x})`, () => enc.encodeFrames(pcm, x, 10))
	await call(`setBitrate(${x})`, () => enc.setBitrate(x))
	await call(`setComplexity(${x})`, () => enc.setComplexity(x))
	await call(`setMaxBandwidth(${x})`, () => enc.setMaxBandwidth(x))
	await call('encode after bad settings', () => enc.encode(pcm.subarray(0, 1440), out8))
	const dec = new native.OpusDecoder(16000, 1)
	await call('decode after bad numbers', () => dec.decode(null, out16.subarray(0, 960)))
	await call(`Resampler(${x}, 24000)`, () => new native.Resampler(x, 24000))
	await call(`Resampler(16000, ${x})`, () => new native.Resampler(16000, x))
	const rs = new native.Resampler(16000, 24000)
	await call(`maxOutput(${x})`, () => rs.maxOutput(x))
	await call('process after bad numbers', () => rs.process(pcm.subarray(0, 320), out16))
	await call('flush', () => rs.flush(out16))
	await call('maxFlush', () => rs.maxFlush())
	await call(`Vad(${x})`, () => new native.Vad(x))
	for (const key of ['startMs', 'hangoverMs', 'prerollMs']) {
		await call(`Vad(16000, {${key}: ${x}})`, () => new native.Vad(16000, { [key]: x }))
	}
	await call(`Mp3Encoder(${x}, 32)`, () => new native.Mp3Encoder(x, 32))
	await call(`Mp3Encoder(22050, ${x})`, () => new native.Mp3Encoder(22050, x))
	const mp3 = new native.Mp3Encoder(22050, 32)
	await call(`Mp3Encoder.encode(dueMs=${x})`, () => mp3.encode(pcm.subarray(0, 1152), x))
	await call(`Mp3Encoder.flush(dueMs=${x})`, () => mp3.flush(x))
	await call(`OpusRepacketizer(${x})`, () => new native.OpusRepacketizer(x))
	await call(`muxOggOpus(frameSamples48k=${x})`, () => native.muxOggOpus([new Uint8Array([0xf8, 0xff, 0xfe])], x, 16000))
	await call(`muxOggOpus(inputSampleRate=${x})`, () => native.muxOggOpus([new Uint8Array([0xf8, 0xff, 0xfe])], 2880, x))
}
// Non-numbers where numbers belong, and numbers where strings and buffers belong.
for (const x of [undefined, null, '16000', {}, [], 10n]) {
	await call(`OpusDecoder(${String(x)})`, () => new native.OpusDecoder(x, 1))
	const enc = new native.OpusEncoder(24000, 1, 'voip')
	await call(`encodeFrames(dueMs=${String(x)})`, () => enc.encodeFrames(pcm, 1440, x))
	await call(`setBitrate(${String(x)})`, () => enc.setBitrate(x))
	await call(`setMaxBandwidth(${String(x)})`, () => enc.setMaxBandwidth(x))
	await call(`Resampler(${String(x)})`, () => new native.Resampler(x, 24000))
	await call(`Vad(${String(x)})`, () => new native.Vad(x))
}
await call('TokenVerifier.verify(numbers)', () => new native.TokenVerifier('a'.repeat(64)).verify(Number.NaN, Number.POSITIVE_INFINITY))
await call('OggOpusDemuxer.push(NaN)', () => new native.OggOpusDemuxer().push(Number.NaN))
await call('encodeThreads', () => native.encodeThreads())
// the encode threads must still be there after all of that
const enc = new native.OpusEncoder(24000, 1, 'voip')
const done = await enc.encodeFrames(pcm, 1440, 5)
console.log(`encoded ${done.lengths.length} frames after the bad calls`)
