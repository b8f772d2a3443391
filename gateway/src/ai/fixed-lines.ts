// Pre-rendered Opus for the lines the gateway says without a model: greetings, "let me think",
// fallbacks, crisis replies, goodbyes. Each is rendered once (espeak-ng → resample → Opus at the
// toy's downlink rate, 60 ms frames) and then costs no API call and no encode: the packets are
// passed straight through to every toy at that rate, and start playing at once.

import type { Codec, OpusRate } from '../codec'
import type { ProviderEvent } from './provider'
import { type EspeakTts, sharedTts, type SpeechOptions } from './tts-espeak'

export type FixedLineId = 'greeting' | 'thinking' | 'fallback' | 'goodbye' | 'crisis' | 'busy'

/** The words, kept short and true: the bear never claims to have understood when it has not. */
export const fixedLineTexts: Record<FixedLineId, string> = {
	greeting: 'Hi there! I am Teddy. What shall we talk about?',
	thinking: 'Hmm, let me think.',
	fallback: 'Oops, my ears got a bit fuzzy. Can you say that again?',
	goodbye: 'Bye bye! Talk to you soon.',
	crisis: 'That sounds really hard. Please tell a grown-up you trust right now. They can help you.',
	// What a toy hears when the gateway is overloaded and sheds a new turn (session/admission.ts).
	busy: 'I need a moment. Can you ask me again?',
}

/** The downlink rates toys use: 16 kHz (seed-json) and 24 kHz (xiaozhi). */
export const FIXED_LINE_RATES: readonly OpusRate[] = [16000, 24000]
export const FIXED_LINE_FRAME_MS = 60

export interface RenderedLine {
	text: string
	sampleRate: OpusRate
	frameMs: number
	packets: readonly Uint8Array[]
	/** Length of the audio, for pacing estimates and tests. */
	durationMs: number
}

export interface FixedLinesOptions {
	codec: Codec
	tts?: EspeakTts
	speech?: SpeechOptions
	/** Renders kept; each is a few KB of Opus. */
	maxEntries?: number
}


export class FixedLines {
	private readonly codec: Codec
	private readonly tts: EspeakTts
	private readonly speech: SpeechOptions
	private readonly maxEntries: number
	private readonly pinned = new Map<string, Promise<RenderedLine>>()
	private readonly cache = new Map<string, Promise<RenderedLine>>()

	constructor(opts: FixedLinesOptions) {
		this.codec = opts.codec
		this.tts = opts.tts ?? sharedTts()
		this.speech = opts.speech ?? { voice: 'en-us+f3', speed: 150 }
		this.maxEntries = opts.maxEntries ?? 128
	}

	/** Renders the standard lines at every downlink rate, so the first use is instant. */
	async warm(): Promise<void> {
		const texts = Object.values(fixedLineTexts)
		await Promise.all(texts.flatMap((t) => FIXED_LINE_RATES.map((r) => this.render(t, r))))
	}

	/** A line by id or by its own text (crisis replies and greetings may be per-child). */
	render(idOrText: FixedLineId | string, rate: number): Promise<RenderedLine> {
		const text = idOrText in fixedLineTexts ? fixedLineTexts[idOrText as FixedLineId] : idOrText
		const sampleRate = pickRate(rate)
		const key = `${sampleRate}\u0000${text}`
		// ! The standard lines are pinned: they are the ones that must start instantly.
		const store = standardTexts.has(text) ? this.pinned : this.cache
		const hit = store.get(key)
		if (hit) return hit
		// ? The promise is cached, so concurrent toys asking for one line render it once.
		const pending = this.renderNow(text, sampleRate)
		store.set(key, pending)
		pending.catch(() => store.delete(key))
		while (this.cache.size > this.maxEntries) {
			const oldest = this.cache.keys().next().value
			if (oldest === undefined) break
			this.cache.delete(oldest)
		}
		return pending
	}

	/** The line as provider events: its sentence (trusted: the gateway's own words), then its Opus packets. */
	async events(idOrText: FixedLineId | string, rate: number): Promise<ProviderEvent[]> {
		const line = await this.render(idOrText, rate)
		return [
			{ type: 'sentence', text: line.text, trusted: true },
			{ type: 'opus', packets: line.packets, sampleRate: line.sampleRate, frameMs: line.frameMs, trusted: true },
		]
	}

	private async renderNow(text: string, rate: OpusRate): Promise<RenderedLine> {
		const speech = await this.tts.synthesize(text, this.speech)
		const pcm = resampleAll(this.codec, speech.pcm, speech.sampleRate, rate)
		const frame = (rate * FIXED_LINE_FRAME_MS) / 1000
		const enc = this.codec.createEncoder(rate, 1, 'voip')
		// Rendered once and replayed all day: spend the CPU on quality here, not per turn.
		enc.setBitrate(24_000)
		enc.setComplexity(10)
		const whole = new Int16Array(Math.ceil(pcm.length / frame) * frame)
		whole.set(pcm)
		const packets: Uint8Array[] = []
		// ! A line with a child's name is rendered during other toys' answers: at complexity 10 a
		// long one held the event loop for 0.5 s on the fallback codec. So it is encoded a few
		// frames at a time (on the encode threads with the native codec), the loop free in between.
		for (let at = 0; at < whole.length; at += frame * SLICE_FRAMES) {
			// Due later than any toy's answer: nobody hears this line until it is whole.
			packets.push(...(await enc.encodeFrames(whole.subarray(at, at + frame * SLICE_FRAMES), frame, LINE_DUE_MS)))
			await new Promise<void>((resolve) => setImmediate(resolve))
		}
		enc.free()
		return { text, sampleRate: rate, frameMs: FIXED_LINE_FRAME_MS, packets, durationMs: packets.length * FIXED_LINE_FRAME_MS }
	}
}

const standardTexts = new Set<string>(Object.values(fixedLineTexts))
const SLICE_FRAMES = 4
const LINE_DUE_MS = 1000

function pickRate(rate: number): OpusRate {
	if (rate === 8000 || rate === 12000 || rate === 16000 || rate === 24000 || rate === 48000) return rate
	return 24000
}

function resampleAll(codec: Codec, pcm: Int16Array, from: number, to: number): Int16Array {
	if (from === to) return pcm
	const r = codec.createResampler(from, to)
	const out = new Int16Array(r.maxOutput(pcm.length))
	const n = r.process(pcm, out)
	const tail = new Int16Array(r.maxFlush())
	const m = r.flush(tail)
	const all = new Int16Array(n + m)
	all.set(out.subarray(0, n))
	all.set(tail.subarray(0, m), n)
	return all
}
