import { describe, expect, test } from 'bun:test'
import { OfflineProvider } from '../../gateway/src/ai/offline'
import type { ProviderEvent, TurnInput } from '../../gateway/src/ai/provider'
import { EspeakTts } from '../../gateway/src/ai/tts-espeak'
import { TtsUnavailableError } from '../../gateway/src/ai/errors'
import { collect } from '../support/collect'

function turn(signal = new AbortController().signal, extra: Partial<TurnInput> = {}): TurnInput {
	return {
		pcm: new Int16Array(1600),
		sampleRate: 16000,
		child: { id: 'c1', name: 'Mia Jones', age: 7 },
		history: [],
		signal,
		...extra,
	}
}


function rms(pcm: Int16Array): number {
	let sum = 0
	for (const s of pcm) sum += s * s
	return Math.sqrt(sum / Math.max(1, pcm.length))
}

describe('OfflineProvider', () => {
	test('answers a turn with a sentence then audible audio at espeak rate, in ~200 ms chunks', async () => {
		const provider = new OfflineProvider({ tts: new EspeakTts() })
		const events = await collect(provider.answer(turn()))
		expect(events[0]?.type).toBe('sentence')
		const audio = events.filter((e) => e.type === 'audio')
		expect(audio.length).toBeGreaterThan(2)
		for (const a of audio) {
			expect(a.sampleRate).toBe(22050)
			expect(a.pcm.length).toBeLessThanOrEqual(4410)
		}
		const all = Int16Array.from(audio.flatMap((a) => Array.from(a.pcm)))
		expect(all.length / 22050).toBeGreaterThan(0.5)
		expect(rms(all)).toBeGreaterThan(300)
	})

	test('a typed turn echoes the text as the transcript first', async () => {
		const provider = new OfflineProvider({ tts: new EspeakTts() })
		const events = await collect(provider.answer(turn(undefined, { text: 'Hello bear' })))
		expect(events[0]).toEqual({ type: 'transcript', text: 'Hello bear' })
		expect(events[1]?.type).toBe('sentence')
	})

	test('lines vary across turns and sometimes use the first name', async () => {
		const provider = new OfflineProvider({ tts: new EspeakTts() })
		const lines: string[] = []
		for (let i = 0; i < 10; i++) {
			const events = await collect(provider.answer(turn()))
			const s = events.find((e) => e.type === 'sentence')
			if (s?.type === 'sentence') lines.push(s.text)
		}
		expect(new Set(lines).size).toBe(10)
		expect(lines.some((l) => l.includes('Mia'))).toBe(true)
		expect(lines.some((l) => l.includes('Jones'))).toBe(false)
	})

	test('abort mid-turn stops promptly without throwing', async () => {
		const provider = new OfflineProvider({ tts: new EspeakTts() })
		const ctl = new AbortController()
		const seen: ProviderEvent[] = []
		for await (const e of provider.answer(turn(ctl.signal))) {
			seen.push(e)
			if (e.type === 'audio') ctl.abort()
		}
		expect(seen.filter((e) => e.type === 'audio').length).toBe(1)
	})

	test('abort while the line is still rendering ends the turn with no events', async () => {
		const tts = new EspeakTts()
		const provider = new OfflineProvider({ tts })
		const ctl = new AbortController()
		const it = provider.answer(turn(ctl.signal))[Symbol.asyncIterator]()
		const first = it.next()
		ctl.abort()
		expect((await first).done).toBe(true)
		expect(tts.spawns).toBe(1)
	})

	test('warm renders every line once; turns then spawn nothing new', async () => {
		const tts = new EspeakTts()
		const provider = new OfflineProvider({ tts })
		await provider.warm()
		const afterWarm = tts.spawns
		expect(afterWarm).toBeGreaterThan(20)
		// A nameless child hears only pre-rendered lines.
		for (let i = 0; i < 12; i++) await collect(provider.answer(turn(undefined, { child: { id: 'x', name: '', age: 4 } })))
		expect(tts.spawns).toBe(afterWarm)
	})

	test('the cache renders a repeated line once, even when asked concurrently', async () => {
		const tts = new EspeakTts()
		const [a, b] = await Promise.all([tts.synthesize('Hello there!'), tts.synthesize('Hello there!')])
		await tts.synthesize('Hello there!')
		expect(tts.spawns).toBe(1)
		expect(a).toBe(b)
		await tts.synthesize('Hello there!', { speed: 200 })
		expect(tts.spawns).toBe(2)
	})

	test('the cache is bounded', async () => {
		const tts = new EspeakTts({ cacheEntries: 2 })
		await tts.synthesize('one')
		await tts.synthesize('two')
		await tts.synthesize('three')
		await tts.synthesize('one')
		expect(tts.spawns).toBe(4)
	})

	test('a missing espeak-ng is a typed error', async () => {
		const tts = new EspeakTts({ binary: '/nonexistent/espeak-ng' })
		await expect(tts.synthesize('hi')).rejects.toBeInstanceOf(TtsUnavailableError)
	})
})
