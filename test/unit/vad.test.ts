import { beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { decodeAll, loadPackets } from '../../bench/lib/packets'
import { render } from '../../bench/lib/speech-corpus'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { loadNativeCodec, nativeCodecLoadError } from '../../gateway/src/codec/native'
import { resample } from '../../gateway/src/codec/resample'
import { type Codec, CodecError, type Vad } from '../../gateway/src/codec/types'
import { VAD_DEFAULTS } from '../../gateway/src/codec/vad'

// The gateway answers when the child stops talking: one turn per question, starting at the
// first syllable (pre-roll included), not cut when the child stops mid-sentence to think, and
// the same turn whether native or TypeScript runs the same classifier.

const RATE = 16000
const FRAME = 960 // 60 ms, as toys send it
const ASSET = join(import.meta.dir, '..', '..', 'bench', 'assets', 'speech-16k.opuspackets')

function native(): Codec {
	const codec = loadNativeCodec()
	if (!codec) throw new Error(`native module not built (run \`bun run build:native\`): ${String(nativeCodecLoadError())}`)
	return codec
}

const codecs = [
	['native', native],
	['fallback', () => fallbackCodec],
] as const

let speech: Int16Array
let padded: Int16Array // 1 s of silence, the question, 2.5 s of silence
let child: Int16Array // a child-like sentence with a 1 s pause to think, 3 s of silence after it
let childEndMs: number // end of its last word
let onsetMs: number // first 10 ms of the question above the codec's noise (its breathy "H")
let offsetMs: number // end of its last such 10 ms

beforeAll(async () => {
	speech = decodeAll(fallbackCodec, await loadPackets(ASSET), RATE)
	padded = new Int16Array(speech.length + 3.5 * RATE)
	padded.set(speech, RATE)
	const sentence = render('<speak>I want to <break time="1000ms"/> play a game with you.</speak>', { voice: 'en+f4', speed: 120, pitch: 90 }, true)
	child = new Int16Array(RATE / 2 + sentence.length + 3 * RATE)
	child.set(sentence, RATE / 2)
	childEndMs = lastLoudMs(child)
	const loud = loudMs(padded)
	onsetMs = loud[0]
	offsetMs = loud[loud.length - 1] + 10
})

/** Starts (ms) of the 10 ms frames above the codec's noise. */
function loudMs(pcm: Int16Array): number[] {
	const loud: number[] = []
	for (let i = 0; i + 160 <= pcm.length; i += 160) {
		let sum = 0
		for (let j = i; j < i + 160; j++) sum += pcm[j] * pcm[j]
		if (Math.sqrt(sum / 160) > 100) loud.push(i / 16)
	}
	return loud
}

const lastLoudMs = (pcm: Int16Array) => (loudMs(pcm).at(-1) ?? 0) + 10

interface Seen {
	events: Array<{ event: 1 | 2; atMs: number; ms: number }>
	decisions: boolean[]
}

function run(vad: Vad, pcm: Int16Array, frame = FRAME, rate = RATE): Seen {
	const seen: Seen = { events: [], decisions: [] }
	for (let at = 0; at + frame <= pcm.length; at += frame) {
		const event = vad.process(pcm.subarray(at, at + frame))
		seen.decisions.push(vad.probability > 0.5)
		if (event !== 0) seen.events.push({ event, atMs: ((at + frame) * 1000) / rate, ms: vad.lastEventMs })
	}
	return seen
}

function noise(n: number, amplitude: number, seed: number): Int16Array {
	const out = new Int16Array(n)
	let s = seed
	for (let i = 0; i < n; i++) {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0
		out[i] = Math.round(((s >>> 8) / 2 ** 23 - 1) * amplitude)
	}
	return out
}

for (const [name, codec] of codecs) {
	describe(`${name} VAD`, () => {
		test('finds exactly one turn in a spoken question, from its onset to after its end', () => {
			const { events } = run(codec().createVad(RATE), padded)
			expect(events.map((e) => e.event)).toEqual([1, 2])
			const [start, end] = events
			expect(start.atMs).toBeGreaterThan(onsetMs)
			expect(start.atMs).toBeLessThanOrEqual(onsetMs + 250)
			// The turn's audio (pre-roll back from the event) starts ~300 ms before the onset.
			const turnFrom = start.atMs - start.ms
			expect(turnFrom).toBeGreaterThanOrEqual(onsetMs - 300 - 10)
			expect(turnFrom).toBeLessThanOrEqual(onsetMs - 300 + 100)
			// ? This question's last word keeps a level pitch, so the turn waits out the hold.
			expect(end.atMs).toBeGreaterThan(offsetMs)
			expect(end.atMs).toBeLessThanOrEqual(offsetMs + VAD_DEFAULTS.holdMs + 200)
			expect(end.ms).toBeGreaterThan((offsetMs - onsetMs) * 0.8)
		})

		test("keeps a child's 1 s pause to think inside one turn", () => {
			const { events } = run(codec().createVad(RATE), child)
			expect(events.map((e) => e.event)).toEqual([1, 2])
			expect(events[0].atMs - events[0].ms).toBeLessThanOrEqual(600)
			expect(events[1].atMs).toBeGreaterThan(childEndMs)
		})

		test('hears nothing in silence or faint hiss', () => {
			const vad = codec().createVad(RATE)
			expect(run(vad, new Int16Array(3 * RATE)).events).toEqual([])
			expect(vad.probability).toBeLessThan(0.01)
			expect(run(codec().createVad(RATE), noise(3 * RATE, 400, 1)).events).toEqual([])
		})

		test('honours its options and works at 48 kHz', () => {
			const vad = codec().createVad(48000, { prerollMs: 100, startMs: 60 })
			const { events } = run(vad, resample(padded, RATE, 48000), 2880, 48000)
			expect(events.map((e) => e.event)).toEqual([1, 2])
			const turnFrom = events[0].atMs - events[0].ms
			expect(turnFrom).toBeGreaterThanOrEqual(onsetMs - 100 - 10)
			expect(turnFrom).toBeLessThanOrEqual(onsetMs - 100 + 100)
		})

		test('refuses rates, timings and classifiers it cannot use with CodecError', () => {
			expect(() => codec().createVad(44100)).toThrow(CodecError)
			expect(() => codec().createVad(RATE, { hangoverMs: 0 })).toThrow(CodecError)
			expect(() => codec().createVad(RATE, { hangoverMs: 800, holdMs: 500 })).toThrow(CodecError)
			expect(() => codec().createVad(RATE, { classifier: 'gpu' as never })).toThrow(CodecError)
			// A longer hangover alone lifts the hold with it.
			expect(() => codec().createVad(RATE, { hangoverMs: 2500 })).not.toThrow()
		})
	})
}

test('the fallback has no Silero and says so', () => {
	expect(() => fallbackCodec.createVad(RATE, { classifier: 'silero' })).toThrow(CodecError)
})

describe('native and TypeScript VAD agree with the same classifier', () => {
	const inputs: Array<[string, () => Int16Array]> = [
		['clean speech', () => padded],
		['a child pausing mid-sentence', () => child],
		[
			'speech in hiss',
			() => {
				const hiss = noise(padded.length, 600, 9)
				return padded.map((s, i) => Math.max(-32768, Math.min(32767, s + hiss[i])))
			},
		],
	]
	for (const [label, input] of inputs) {
		test(`on at least 95% of frames of ${label}, with the same events`, () => {
			const a = run(native().createVad(RATE, { classifier: 'energy' }), input())
			const b = run(fallbackCodec.createVad(RATE), input())
			const same = a.decisions.filter((d, i) => d === b.decisions[i]).length
			expect(same / a.decisions.length).toBeGreaterThanOrEqual(0.95)
			expect(a.events).toEqual(b.events)
		})
	}
})
