// A provider for benchmarks: no network, no model, no TTS. Every turn is answered after a fixed
// latency with a fixed length of pre-rendered audio, so what a fleet benchmark measures is the
// gateway, not the AI. Selected with TEDDY_PROVIDER=fake (ai/index.ts). The audio is 24 kHz PCM
// (`format: 'pcm'`, FAKE_PROVIDER_FORMAT=pcm), or what the speech API's `opus` format is: an Ogg Opus
// file (OpusHead 48 kHz) of 20 ms packets, demuxed per answer (`opus20`).
//
// Timestamp contract (what bench/fleet reads): the answer's one sentence is
//   "fake t=<epoch ms, 3 decimals> turn=<n>"
// stamped at the moment the provider yields its first audio (the "provider first byte"). The
// sentence rides on xiaozhi `tts sentence_start` and on the first seed-json `audio_response`
// piece, so a client on the same clock computes provider first byte → first frame out.

import type { Codec } from '../codec'
import type { Provider, ProviderEvent, TurnInput } from './provider'

export type FakeFormat = 'pcm' | 'opus20'

export interface FakeProviderOptions {
	/** From end of the child's turn to the first audio (default 200). */
	latencyMs?: number
	/** Length of every answer (default 2000). */
	answerMs?: number
	/** Length of each audio event (default 240 = four 60 ms frames). */
	chunkMs?: number
	/** How much faster than real time the rest of the answer streams in (default 4, like a TTS API). */
	speed?: number
	/** `opus20` needs `codec` to encode the answer once and demux it per turn (default 'pcm'). */
	format?: FakeFormat
	codec?: Codec
}

export const FAKE_RATE = 24000

const clips = new Map<number, Int16Array>()

// A voiced, syllable-like signal (harmonics of 180 Hz under a 4 Hz envelope): Opus spends about
// what it spends on speech, where a pure tone or silence would flatter the encoder.
function clip(ms: number): Int16Array {
	let pcm = clips.get(ms)
	if (pcm) return pcm
	pcm = new Int16Array(Math.round((FAKE_RATE * ms) / 1000))
	for (let i = 0; i < pcm.length; i++) {
		const t = i / FAKE_RATE
		const env = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t)
		let v = 0
		for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * 180 * h * t + h * 0.7) / h
		pcm[i] = Math.round(6000 * env * v)
	}
	clips.set(ms, pcm)
	return pcm
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes on one host. */
export function epochMs(): number {
	return performance.timeOrigin + performance.now()
}

/** The clip as the speech API's `opus` format: 48 kHz, 20 ms packets, one configuration. */
function oggOpus(codec: Codec, pcm: Int16Array): Uint8Array {
	const r = codec.createResampler(FAKE_RATE, 48000)
	const head = new Int16Array(r.maxOutput(pcm.length))
	const headN = r.process(pcm, head)
	// ! maxFlush() is what the filter holds now, so it is asked after the process (the native one is exact).
	const tail = new Int16Array(r.maxFlush())
	const tailN = r.flush(tail)
	const n = headN + tailN
	const at48 = new Int16Array(n)
	at48.set(head.subarray(0, headN))
	at48.set(tail.subarray(0, tailN), headN)
	const enc = codec.createEncoder(48000, 1, 'audio')
	const frame = 960
	const whole = new Int16Array(Math.ceil(n / frame) * frame)
	whole.set(at48.subarray(0, n))
	const buf = new Uint8Array(1500)
	const packets: Uint8Array[] = []
	for (let at = 0; at < whole.length; at += frame) packets.push(buf.slice(0, enc.encode(whole.subarray(at, at + frame), buf)))
	enc.free()
	return codec.muxOggOpus(packets, frame, 48000)
}

export class FakeProvider implements Provider {
	readonly name = 'fake'
	readonly latencyMs: number
	readonly answerMs: number
	readonly format: FakeFormat
	private readonly chunkMs: number
	private readonly speed: number
	private readonly codec: Codec | undefined
	private readonly ogg: Uint8Array | undefined
	private turns = 0

	constructor(opts: FakeProviderOptions = {}) {
		this.latencyMs = opts.latencyMs ?? 200
		this.answerMs = opts.answerMs ?? 2000
		this.chunkMs = opts.chunkMs ?? 240
		this.speed = opts.speed ?? 4
		this.format = opts.format ?? 'pcm'
		this.codec = opts.codec
		if (this.format === 'opus20') {
			if (!opts.codec) throw new Error('the fake provider needs a codec to answer in Opus')
			this.ogg = oggOpus(opts.codec, clip(this.answerMs))
		} else clip(this.answerMs)
	}

	/** Like a provider that transcribes the toy's Opus as it is: the uplink is never decoded for it. */
	needsPcm(): boolean {
		return false
	}

	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		const { signal } = input
		const turn = this.turns++
		if (signal.aborted) return
		yield { type: 'transcript', text: input.text ?? 'fake transcript' }
		if (!(await sleep(this.latencyMs, signal))) return
		yield { type: 'sentence', text: `fake t=${epochMs().toFixed(3)} turn=${turn}` }
		if (this.ogg) {
			yield* this.streamOpus(this.ogg, signal)
			return
		}
		const pcm = clip(this.answerMs)
		const step = Math.round((FAKE_RATE * this.chunkMs) / 1000)
		const gap = this.chunkMs / this.speed
		for (let at = 0; at < pcm.length; at += step) {
			if (at > 0 && !(await sleep(gap, signal))) return
			if (signal.aborted) return
			// A view, not a copy: the session copies samples into its own frame buffer.
			yield { type: 'audio', pcm: pcm.subarray(at, at + step), sampleRate: FAKE_RATE }
		}
	}

	/**
	 * The Ogg file demuxed per answer (the gateway's share of the work), its packets yielded
	 * `chunkMs` at a time like the PCM. ? Not demuxed chunk by chunk: Ogg pages hold 1 s here,
	 * so that would hold the first audio back a second.
	 */
	private async *streamOpus(ogg: Uint8Array, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
		const demux = this.codec!.createOggDemuxer()
		const packets = demux.push(ogg)
		demux.end()
		const step = Math.max(1, Math.round(this.chunkMs / 20))
		const gap = this.chunkMs / this.speed
		for (let at = 0; at < packets.length; at += step) {
			if (at > 0 && !(await sleep(gap, signal))) return
			if (signal.aborted) return
			yield { type: 'opus', packets: packets.slice(at, at + step), sampleRate: 48000, frameMs: 20 }
		}
	}
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
	if (signal.aborted) return Promise.resolve(false)
	return new Promise((resolve) => {
		const onAbort = () => {
			clearTimeout(timer)
			resolve(false)
		}
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', onAbort)
			resolve(true)
		}, ms)
		signal.addEventListener('abort', onAbort, { once: true })
	})
}
