import { describe, expect, test } from 'bun:test'
import { FixedLines, fixedLineTexts } from '../../gateway/src/ai/fixed-lines'
import { EspeakTts } from '../../gateway/src/ai/tts-espeak'
import { loadCodec } from '../../gateway/src/codec'

// Fixed lines are Opus ready for the wire: 60 ms packets at the toy's rate that a device decoder
// plays as speech, rendered once and then served without espeak-ng or an encoder.

function decodeAll(kind: 'native' | 'fallback', packets: readonly Uint8Array[], rate: 16000 | 24000): Int16Array {
	const dec = loadCodec(kind).createDecoder(rate)
	const frame = new Int16Array((rate * 120) / 1000)
	const out: number[] = []
	for (const p of packets) {
		const n = dec.decode(p, frame)
		// Every packet is one 60 ms frame: exactly what the toy's jitter buffer is paced for.
		expect(n).toBe((rate * 60) / 1000)
		out.push(...frame.subarray(0, n))
	}
	return Int16Array.from(out)
}

const rms = (pcm: Int16Array) => Math.sqrt(pcm.reduce((s, x) => s + x * x, 0) / Math.max(1, pcm.length))

describe('FixedLines', () => {
	for (const kind of ['native', 'fallback'] as const) {
		test(`renders a line as 60 ms Opus that decodes to speech at 16 and 24 kHz (${kind})`, async () => {
			const lines = new FixedLines({ codec: loadCodec(kind), tts: new EspeakTts() })
			for (const rate of [16000, 24000] as const) {
				const line = await lines.render('thinking', rate)
				expect(line.text).toBe(fixedLineTexts.thinking)
				expect(line.sampleRate).toBe(rate)
				expect(line.frameMs).toBe(60)
				const pcm = decodeAll(kind, line.packets, rate)
				expect(pcm.length / rate).toBeGreaterThan(0.5)
				expect(rms(pcm)).toBeGreaterThan(300)
			}
		})
	}

	for (const kind of ['native', 'fallback'] as const) {
		test(`a long per-child line is encoded a few frames at a time, the event loop served in between (${kind})`, async () => {
			// Speech that is ready at once, so the only waiting left is the encode's own.
			const voiced = new Int16Array(24000 * 6).map((_, i) => Math.round(8000 * Math.sin(i / 9) * Math.sin(i / 3000)))
			const tts = { synthesize: async () => ({ pcm: voiced, sampleRate: 24000 }) } as unknown as EspeakTts
			const lines = new FixedLines({ codec: loadCodec(kind), tts })
			const text = 'Good morning Alexandra! It is so lovely to hear from you again today.'
			let turns = 0
			let rendering = true
			const spin = () => {
				if (!rendering) return
				turns++
				setImmediate(spin)
			}
			spin()
			const line = await lines.render(text, 24000)
			rendering = false
			expect(line.packets.length).toBeGreaterThan(40)
			// One event-loop turn at least per 4-frame slice: other toys' frames go out in between.
			expect(turns).toBeGreaterThanOrEqual(Math.floor(line.packets.length / 4))
			expect(rms(decodeAll(kind, line.packets, 24000))).toBeGreaterThan(300)
		})
	}

	test('renders each line once per rate, however many toys ask at the same time', async () => {
		const tts = new EspeakTts()
		const lines = new FixedLines({ codec: loadCodec(), tts })
		const all = await Promise.all(Array.from({ length: 5 }, () => lines.render('fallback', 16000)))
		expect(new Set(all).size).toBe(1)
		await lines.render('fallback', 24000)
		expect(tts.spawns).toBe(1) // espeak-ng's own render cache serves the second rate
		const again = await lines.render(fixedLineTexts.fallback, 16000)
		expect(again).toBe(all[0])
	})

	test('yields the sentence and then the packets as provider events, both marked as the gateway\'s own', async () => {
		const lines = new FixedLines({ codec: loadCodec() })
		const events = await lines.events('goodbye', 24000)
		expect(events[0]).toEqual({ type: 'sentence', text: fixedLineTexts.goodbye, trusted: true })
		const opus = events[1]
		if (opus.type !== 'opus') throw new Error('expected opus')
		expect(opus.trusted).toBe(true)
		expect(opus.sampleRate).toBe(24000)
		expect(opus.frameMs).toBe(60)
		expect(opus.packets.length).toBeGreaterThan(5)
	})

	test('warm renders every standard line so a turn never waits for espeak-ng', async () => {
		const tts = new EspeakTts()
		const lines = new FixedLines({ codec: loadCodec(), tts })
		await lines.warm()
		const spawns = tts.spawns
		const t0 = performance.now()
		await lines.render('crisis', 16000)
		expect(performance.now() - t0).toBeLessThan(5)
		expect(tts.spawns).toBe(spawns)
	})
})
