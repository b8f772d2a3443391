import { beforeAll, describe, expect, test } from 'bun:test'
import OpusScript from 'opusscript'
import type { PcmQuestion, Provider, ProviderEvent, StreamContext, TurnInput, UplinkStream } from '../../gateway/src/ai/provider'
import { loadCodec } from '../../gateway/src/codec'
import type { ListenOptions } from '../../gateway/src/session/session'
import { loadPackets } from '../../bench/lib/packets'
import { Metrics } from '../../gateway/src/obs/metrics'
import { recordingSession } from '../support/recording-session'

// A child who pauses mid-sentence ("I like… red apples") is one turn. The gateway's VAD may take
// the pause for the end and ask the provider; if the child goes on before any answer reached the
// toy, that answer is dropped and the provider hears the whole sentence once. Found by the fleet
// bench: realtime toys whose clip has a pause got their first half dropped and the second half
// answered as a turn of its own (2.6 s after the pause); auto toys got the first half answered
// and the rest ignored.

const codec = loadCodec('native')
const child = { id: 'c', name: 'Ada', age: 6 }
let speech: Uint8Array[] = []
// 60 ms of digital silence: 40 of them (2.4 s) end a turn whatever the last word's pitch.
const silence = new Uint8Array(new OpusScript(16000, 1, OpusScript.Application.VOIP).encode(Buffer.alloc(960 * 2), 960))
const PAUSE = 40

beforeAll(async () => {
	speech = await loadPackets(`${import.meta.dir}/../../bench/assets/speech-16k.opuspackets`)
})

interface Asked {
	samples: number
	packets: number
	speechMs: number
	history: number
	signal: AbortSignal
}

/** Answers every turn after `latencyMs`; remembers what each turn gave it. */
class RecordingProvider implements Provider {
	readonly name = 'recording'
	readonly asked: Asked[] = []
	/** Set: answer() reads `pcm` only when this says so (as the speech pipeline does). */
	needsPcm?: (turn: PcmQuestion) => boolean
	constructor(
		private readonly latencyMs: number,
		private readonly streams = false,
	) {}

	openStream(_ctx: StreamContext): UplinkStream | undefined {
		if (!this.streams) return undefined
		return { append: () => {}, cancel: () => {} }
	}

	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		this.asked.push({ samples: input.pcm.length, packets: input.opusPackets?.length ?? 0, speechMs: input.speechMs ?? 0, history: input.history.length, signal: input.signal })
		yield { type: 'transcript', text: `turn ${this.asked.length}` }
		await Bun.sleep(this.latencyMs)
		if (input.signal.aborted) return
		yield { type: 'sentence', text: 'Apples are lovely.' }
		yield { type: 'audio', pcm: new Int16Array(16000 * 0.3), sampleRate: 16000 }
	}
}

function run(mode: ListenOptions, provider: RecordingProvider, metrics?: Metrics) {
	const recorded: string[] = []
	const s = recordingSession(codec, provider, 'cont-1', child, {
		recorder: { record: (role, text) => recorded.push(`${role}:${text}`), end: () => recorded.push('end') },
		metrics,
	})
	s.session.beginListening('opus', 16000, mode)
	return { ...s, recorded }
}

/** Sends the speech, a pause the VAD ends the turn on, and optionally the speech again. */
function talk(session: { pushAudio(d: Uint8Array): boolean }, withSecondHalf: boolean): void {
	for (const p of speech) session.pushAudio(p)
	for (let i = 0; i < PAUSE; i++) session.pushAudio(silence)
	if (!withSecondHalf) return
	for (const p of speech) session.pushAudio(p)
	for (let i = 0; i < PAUSE; i++) session.pushAudio(silence)
}

async function settle(s: { calls: string[] }): Promise<void> {
	const deadline = Date.now() + 10_000
	while (!s.calls.includes('stop') && Date.now() < deadline) await Bun.sleep(10)
}

describe('a child who goes on after a pause', () => {
	const speechSamples = () => speech.length * 960

	for (const [name, mode] of [
		['auto', { endpointing: true }],
		['realtime', { endpointing: true, bargeIn: true }],
	] as const) {
		test(`${name} mode: the provider hears the whole sentence once, and one answer plays`, async () => {
			const provider = new RecordingProvider(300)
			const s = run(mode, provider)
			talk(s.session, true)
			await settle(s)
			// Every ask before the last was dropped before it answered (the clip itself has a pause
			// the VAD may cut at too); the last got both clips and the pause between them.
			const asked = provider.asked
			expect(asked.length).toBeGreaterThanOrEqual(2)
			expect(asked.slice(0, -1).every((a) => a.signal.aborted)).toBe(true)
			const whole = asked.at(-1)!
			expect(whole.signal.aborted).toBe(false)
			expect(whole.samples).toBeGreaterThanOrEqual(2 * speechSamples() + 960 * PAUSE / 2)
			expect(whole.speechMs).toBeGreaterThanOrEqual(((2 * speechSamples()) / 16000) * 1000)
			// One answer: one tts start, and the words kept once, as one turn.
			expect(s.calls.filter((c) => c === 'start').length).toBe(1)
			expect(s.recorded).toEqual([`child:turn ${asked.length}`, 'assistant:Apples are lovely.'])
			expect(whole.history).toBe(0)
			s.session.close()
		})
	}

	test('the turn counters add up: an ask the child went on from is counted as continued, not as a turn of its own', async () => {
		const metrics = new Metrics()
		const provider = new RecordingProvider(300)
		const s = run({ endpointing: true }, provider, metrics)
		talk(s.session, true)
		await settle(s)
		s.session.close()
		const asks = provider.asked.length
		const { started, answered, interrupted, failed, continued } = metrics.snapshot().turns as Record<string, number>
		expect(started).toBe(asks)
		expect(answered).toBe(1)
		expect(continued).toBe(asks - 1)
		expect(interrupted).toBe(0)
		expect(failed).toBe(0)
		expect(answered + continued + interrupted + failed).toBe(started)
		const text = await metrics.registry.metrics()
		expect(text).toContain(`teddy_turns_total{outcome="continued"} ${asks - 1}`)
	})

	test('once the answer has started, the child speaking again is not the same turn', async () => {
		const provider = new RecordingProvider(0)
		const s = run({ endpointing: true }, provider)
		talk(s.session, false)
		await settle(s)
		for (const p of speech) s.session.pushAudio(p)
		await Bun.sleep(50)
		expect(provider.asked.length).toBe(1)
		expect(s.recorded).toEqual(['child:turn 1', 'assistant:Apples are lovely.'])
		s.session.close()
	})

	for (const [name, mode] of [
		['auto', { endpointing: true }],
		['realtime', { endpointing: true, bargeIn: true }],
	] as const) {
		test(`${name} mode: a turn the provider was streamed (Realtime) is not sent again; what follows is a turn after it`, async () => {
			const provider = new RecordingProvider(300, true)
			const s = run(mode, provider)
			talk(s.session, true)
			await settle(s)
			const asked = provider.asked
			expect(asked.length).toBeGreaterThanOrEqual(2)
			// The last ask answers the second clip alone; the first clip was asked without it.
			const last = asked.at(-1)!
			expect(last.signal.aborted).toBe(false)
			expect(last.samples).toBeLessThan(asked[0]!.samples + speechSamples())
			expect(last.samples).toBeGreaterThan(0)
			// What follows is a turn of its own, answered once.
			expect(s.recorded.slice(-2)).toEqual([`child:turn ${asked.length}`, 'assistant:Apples are lovely.'])
			expect(s.calls.filter((c) => c === 'start').length).toBe(1)
			s.session.close()
		})
	}

	test('a hang-up while the bear is thinking keeps the child\'s words, before the conversation ends', async () => {
		const provider = new RecordingProvider(5000)
		const s = run({ endpointing: true }, provider)
		talk(s.session, false)
		// The provider has said what it heard; the answer is still coming.
		const deadline = Date.now() + 5000
		while (!s.calls.some((c) => c.startsWith('transcript:')) && Date.now() < deadline) await Bun.sleep(5)
		s.session.close()
		expect(s.recorded).toEqual(['child:turn 1', 'end'])
	})

	test('a pause and no more speech: the answer plays as before', async () => {
		const provider = new RecordingProvider(100)
		const s = run({ endpointing: true }, provider)
		talk(s.session, false)
		await settle(s)
		expect(provider.asked.length).toBe(1)
		expect(provider.asked[0]!.signal.aborted).toBe(false)
		expect(s.calls.filter((c) => c === 'start').length).toBe(1)
		s.session.close()
	})
})

// The VAD decodes every packet, but a turn keeps its PCM only when the provider reads it: the
// speech pipeline transcribes the toy's own packets. Under load those turn buffers (32 KB a second
// of speech each) were most of what the garbage collector had to reclaim.
describe('a turn the provider takes as Opus packets', () => {
	test('keeps only its packets; the provider gets every one, and no PCM', async () => {
		const provider = new RecordingProvider(0)
		provider.needsPcm = () => false
		const s = run({ endpointing: true }, provider)
		talk(s.session, false)
		await settle(s)
		const asked = provider.asked.at(-1)!
		expect(asked.samples).toBe(0)
		// the clip and the pause up to where the VAD ended the turn
		expect(asked.packets).toBeGreaterThan(speech.length)
		expect(asked.speechMs).toBeGreaterThanOrEqual(((speech.length * 960) / 16000) * 1000)
		s.session.close()
	})

	test('a provider that reads PCM still gets the turn decoded as it came', async () => {
		const provider = new RecordingProvider(0)
		const s = run({ endpointing: true }, provider)
		talk(s.session, false)
		await settle(s)
		const asked = provider.asked.at(-1)!
		expect(asked.samples).toBe(asked.packets * 960)
		s.session.close()
	})

	test('packets unlike the first (a frame length change): the PCM is decoded from them at the end', async () => {
		const provider = new RecordingProvider(0)
		// like the pipeline: PCM only when the packets cannot make one Ogg file
		provider.needsPcm = (turn) => new Set(turn.opusPackets?.map((p) => p.length > 0 && p[0]! >> 3)).size > 1 || (turn.opusPackets?.length ?? 0) === 0
		const s = run({ endpointing: true }, provider)
		const enc = new OpusScript(16000, 1, OpusScript.Application.VOIP)
		// 20 ms packets first (SILK WB 20 ms: TOC config 9), then the clip's 60 ms ones (config 11)
		for (let i = 0; i < 10; i++) s.session.pushAudio(new Uint8Array(enc.encode(Buffer.alloc(320 * 2), 320)))
		talk(s.session, false)
		await settle(s)
		const asked = provider.asked.at(-1)!
		expect(asked.samples).toBe(10 * 320 + (asked.packets - 10) * 960)
		s.session.close()
	})

	test('a child who goes on after a pause: the provider gets both halves\' packets', async () => {
		const provider = new RecordingProvider(300)
		provider.needsPcm = () => false
		const s = run({ endpointing: true }, provider)
		talk(s.session, true)
		await settle(s)
		const whole = provider.asked.at(-1)!
		expect(whole.signal.aborted).toBe(false)
		expect(whole.samples).toBe(0)
		expect(whole.packets).toBeGreaterThanOrEqual(2 * speech.length + PAUSE / 2)
		s.session.close()
	})
})
