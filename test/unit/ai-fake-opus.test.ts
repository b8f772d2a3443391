import { describe, expect, test } from 'bun:test'
import { createProvider, ResilientProvider } from '../../gateway/src/ai'
import { FakeProvider } from '../../gateway/src/ai/fake'
import type { ProviderEvent } from '../../gateway/src/ai/provider'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { loadNativeCodec, nativeCodecLoadError } from '../../gateway/src/codec/native'
import { packetSamples48k } from '../../gateway/src/codec/opus-packets'
import { Downlink, EncodeLoad } from '../../gateway/src/session/downlink'
import { collect } from '../support/collect'
import { countingCodec } from '../support/counting-codec'

// The bench's fake provider can answer as the speech API does for `opus` (FAKE_PROVIDER_FORMAT=
// opus20), so the fleet bench measures the gateway passing Opus through rather than encoding it.

const turn = () => ({ pcm: new Int16Array(0), sampleRate: 16000, text: 'hi', child: { id: 'c', name: 'Ada', age: 6 }, history: [], signal: new AbortController().signal })

describe('fake provider, opus20', () => {
	test('streams 20 ms Opus packets of the whole answer, which reach a toy without an encode', async () => {
		const fake = new FakeProvider({ latencyMs: 0, answerMs: 1000, speed: 1000, format: 'opus20', codec: fallbackCodec })
		const events = await collect(fake.answer(turn()))
		const opus = events.filter((e): e is Extract<ProviderEvent, { type: 'opus' }> => e.type === 'opus')
		expect(opus.length).toBeGreaterThan(1)
		expect(events.some((e) => e.type === 'audio')).toBe(false)
		const packets = opus.flatMap((e) => [...e.packets])
		expect(packets.every((p) => packetSamples48k(p) === 960)).toBe(true)
		// the answer's length (the resampler's tail rounds it up to one more 20 ms frame)
		expect(Math.abs(packets.length - 50)).toBeLessThanOrEqual(1)

		const { codec, count } = countingCodec(fallbackCodec)
		const d = new Downlink(codec, new EncodeLoad(codec.encodeThreads), 'opus', 24000, 60)
		const out: Uint8Array[] = []
		for (const e of opus) {
			d.pushOpus(e.packets)
			await d.encode((p) => out.push(p))
		}
		d.flush()
		await d.encode((p) => out.push(p))
		expect(count.encoders).toBe(0)
		expect(out.length).toBe(Math.ceil(packets.length / 3))
		expect(out.every((p) => packetSamples48k(p) === 2880)).toBe(true)
	})

	test('answers in Opus with the native codec too, whose resampler flushes exactly what it holds', async () => {
		const native = loadNativeCodec()
		if (!native) throw new Error(`native codec not built: ${nativeCodecLoadError()}`)
		const fake = new FakeProvider({ latencyMs: 0, answerMs: 1200, speed: 1000, format: 'opus20', codec: native })
		const events = await collect(fake.answer(turn()))
		const packets = events.flatMap((e) => (e.type === 'opus' ? [...e.packets] : []))
		expect(Math.abs(packets.length - 60)).toBeLessThanOrEqual(1)
	})

	test('is chosen by config, wrapped like a remote provider, and needs a codec', () => {
		const p = createProvider({ codec: fallbackCodec, ai: { provider: 'fake', fakeFormat: 'opus20' } })
		// The fleet bench measures the production path: timeouts, retries and the circuit around the answer.
		expect(p).toBeInstanceOf(ResilientProvider)
		expect(p.name).toBe('fake')
		const fake = (p as ResilientProvider).primary
		expect(fake).toBeInstanceOf(FakeProvider)
		expect((fake as FakeProvider).format).toBe('opus20')
		expect(() => new FakeProvider({ format: 'opus20' })).toThrow(/codec/)
	})
})
