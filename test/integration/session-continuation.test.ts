import { beforeAll, describe, expect, test } from 'bun:test'
import OpusScript from 'opusscript'
import type { Provider, ProviderEvent, StreamContext, TurnInput, UplinkStream } from '../../gateway/src/ai/provider'
import { loadCodec } from '../../gateway/src/codec'
import type { ListenOptions } from '../../gateway/src/session/session'
import { loadPackets } from '../../bench/lib/packets'
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
	speechMs: number
	history: number
	signal: AbortSignal
}

/** Answers every turn after `latencyMs`; remembers what each turn gave it. */
class RecordingProvider implements Provider {
	readonly name = 'recording'
	readonly asked: Asked[] = []
	constructor(
		private readonly latencyMs: number,
		private readonly streams = false,
	) {}

	openStream(_ctx: StreamContext): UplinkStream | undefined {
		if (!this.streams) return undefined
		return { append: () => {}, cancel: () => {} }
	}

	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		this.asked.push({ samples: input.pcm.length, speechMs: input.speechMs ?? 0, history: input.history.length, signal: input.signal })
		yield { type: 'transcript', text: `turn ${this.asked.length}` }
		await Bun.sleep(this.latencyMs)
		if (input.signal.aborted) return
		yield { type: 'sentence', text: 'Apples are lovely.' }
		yield { type: 'audio', pcm: new Int16Array(16000 * 0.3), sampleRate: 16000 }
	}
}

function run(mode: ListenOptions, provider: RecordingProvider) {
	const recorded: string[] = []
	const s = recordingSession(codec, provider, 'cont-1', child, {
		recorder: { record: (role, text) => recorded.push(`${role}:${text}`), end: () => recorded.push('end') },
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
