import type { Codec, Mp3Encoder, OpusBandwidth, OpusEncoder, OpusRate, Resampler } from '../codec'
import { Mp3Framer } from '../codec/mp3-frames'
import { OpusRelay } from './opus-relay'

// Turns provider audio into the toy's downlink frames. PCM (any rate, any chunking) is resampled
// to the toy's rate, cut into whole frames and Opus-encoded, left as PCM16, or encoded as MP3.
// Provider Opus goes to an Opus toy as it is, joined into packets of its length (opus-relay.ts).
// push() only frames; encode() encodes what was framed, off the JS thread when the codec can.
// Codec state is made on the first answer and reused across turns; the frame buffer exists only
// while a turn is being framed, so an idle toy holds none of it.

export type DownlinkFormat = 'opus' | 'pcm16' | 'mp3'
/** Downlink rates: Opus rates, and 22.05 kHz for MP3. */
export type DownlinkRate = OpusRate | 22050

export interface DownlinkSpec {
	format: DownlinkFormat
	sampleRate: DownlinkRate
	/** Length of one piece the toy gets; for MP3 not a whole number of ms (MP3_PIECE_MS). */
	frameMs: number
}

// The seed firmware's MP3 (PROTOCOL.md §3): MPEG-2 Layer III, 22.05 kHz mono, 32 kbit/s CBR (clear
// speech on a toy speaker, ~105 bytes a frame). A piece is two 576-sample frames, 52.2 ms, close to
// the Opus toys' 60 ms, so pacing and per-message overhead stay alike.
export const MP3_RATE = 22050
export const MP3_KBPS = 32
export const MP3_FRAMES_PER_PIECE = 2
export const MP3_PIECE_MS = (MP3_FRAMES_PER_PIECE * 576 * 1000) / MP3_RATE
/** The Opus-fixed-line and transcoding decode rate for MP3 toys: Opus cannot decode at 22.05 kHz. */
const MP3_DECODE_RATE = 24000

const MAX_PACKET = 1500
const EMPTY = new Int16Array(0)

// Every answer is coded in the 8 kHz speech band: at 24 kbit/s Opus then codes it with SILK
// alone rather than SILK + CELT (hybrid), which both costs less (c1: 171 vs 265 µs a 60 ms frame,
// bench/results/codec.md) and sounds better in the speech band, where the bits go (PESQ-WB c5:
// 3.86 capped vs 3.08 hybrid, bench/results/encode-quality.md). What the cap gives up is 8-12 kHz,
// which a toy's small speaker barely plays; the toy's decoder does less work too.
export const DOWNLINK_BAND_HZ: OpusBandwidth = 8000

// Complexity by load (DESIGN.md: downlink encode dominates). Each answer picks its complexity when
// its first frame is encoded, from how many answers each encoding thread carries at that moment.
// The steps keep an encode thread's share of its core under a fifth: c5 (442 µs a frame) up to 16
// answers, c3 (341 µs) up to 32, then c1 (171 µs); c1 scores 3.11 against c5's 3.86 (PESQ-WB).
// With hundreds of encoders their states no longer stay in cache and a frame costs more than
// codec.md measures (README, Performance).

/** The load steps, lightest first: answers per encode thread up to `upTo` get `complexity`. */
export const ENCODE_STEPS: readonly { upTo: number; complexity: number }[] = [
	{ upTo: 16, complexity: 5 },
	{ upTo: 32, complexity: 3 },
	{ upTo: Number.POSITIVE_INFINITY, complexity: 1 },
]

/**
 * The encode threads' shared load: answers being Opus-encoded right now over every session of one
 * gateway (made in gateway.ts, so two gateways in one process, or two tests, do not add up).
 */
export class EncodeLoad {
	private encoding = 0
	/**
	 * One encode target for every downlink of this gateway: encodes run on the JS thread one at a
	 * time and the packet is copied out before the next.
	 */
	readonly packetBuf = new Uint8Array(MAX_PACKET)

	constructor(private readonly encodeThreads: number) {}

	/** Answers being encoded right now. */
	get answers(): number {
		return this.encoding
	}

	/** An answer starts encoding; returns the complexity it gets. */
	started(): number {
		this.encoding++
		const perThread = this.encoding / Math.max(1, this.encodeThreads)
		// The last step's bound is infinite, so find always finds one.
		return ENCODE_STEPS.find((s) => perThread <= s.upTo)!.complexity
	}

	ended(): void {
		this.encoding--
	}
}

export class Downlink {
	private encoder: OpusEncoder | undefined
	private mp3: Mp3Encoder | undefined
	private readonly framer = new Mp3Framer()
	/** The MP3 stream is to be ended by the next encode(). */
	private ending = false
	/** Bumped by reset(): an encode that resolves after it belongs to an answer that is gone. */
	private generation = 0
	private resampler: Resampler | undefined
	private resamplerRate = 0
	private resampled = EMPTY
	/** Framed samples not yet encoded, back to back: whole frames, then a partial one. */
	private pending = EMPTY
	private fill = 0
	/** Packets that need no encode (provider Opus, pcm16 frames), in order. */
	private ready: Uint8Array[] = []
	private readonly relay: OpusRelay
	private inTurn = false
	private readonly frameSamples: number

	constructor(
		private readonly codec: Codec,
		private readonly load: EncodeLoad,
		readonly format: DownlinkFormat,
		readonly sampleRate: DownlinkRate,
		readonly frameMs: number,
	) {
		this.frameSamples = format === 'mp3' ? MP3_FRAMES_PER_PIECE * 576 : (sampleRate * frameMs) / 1000
		const decodeRate = sampleRate === MP3_RATE ? MP3_DECODE_RATE : sampleRate
		// ? Only an Opus toy's relay joins packets; the others decode them all.
		this.relay = new OpusRelay(codec, format === 'opus' ? frameMs * 48 : 0, decodeRate, {
			packet: (p) => this.ready.push(p),
			pcm: (pcm, rate) => this.frameIn(rate === this.sampleRate ? pcm : this.resample(pcm, rate)),
		})
	}

	/** Frames this chunk of provider audio; encode() then encodes them. */
	push(pcm: Int16Array, rate: number): void {
		// Provider Opus waiting to be joined goes first: the PCM follows it.
		if (this.relay.joining) this.relay.endStream()
		this.frameIn(rate === this.sampleRate ? pcm : this.resample(pcm, rate))
	}

	/**
	 * Provider Opus: joined into the toy's packets without decoding when the toy takes Opus,
	 * otherwise decoded and framed like PCM (opus-relay.ts). Packets decode at any rate, so the
	 * provider's rate does not matter; the toy's decoder runs at the rate it was told.
	 */
	pushOpus(packets: readonly Uint8Array[]): void {
		this.relay.push(packets, this.format === 'opus' && this.fill === 0)
	}

	/**
	 * The provider's audio stream ended (before the next sentence): its last Opus packet is completed
	 * now, and a stream that had to be transcoded ends on a whole frame, so the next one can pass.
	 */
	endStream(): void {
		const transcoded = this.relay.decoding
		this.relay.endStream()
		if (transcoded && this.format === 'opus') this.padFrame()
	}

	/** Ends a turn's framing: the resampler's tail and a last frame padded with silence. */
	flush(): void {
		this.relay.endStream()
		if (this.resampler) {
			const tail = this.scratch(this.resampler.maxFlush())
			this.frameIn(tail.subarray(0, this.resampler.flush(tail)))
		}
		// MP3 pads its own last frame when its stream ends.
		if (this.format === 'mp3') this.ending = true
		else this.padFrame()
	}

	/**
	 * Encodes every whole frame pushed so far and hands the packets to `send` in order. The
	 * answer's first frame is encoded at once on this thread: it is on the latency path, and the
	 * encode threads may be busy with other toys' answers. The rest go to them in one batch, due in
	 * `dueMs` (how much audio the toy has queued ahead of it).
	 * All state changes happen before the first await, so a barge-in can reset this downlink and
	 * start the next answer while a batch is still being encoded; that batch then comes back empty.
	 */
	async encode(send: (packet: Uint8Array) => void, dueMs = 0): Promise<void> {
		for (const p of this.ready) send(p)
		this.ready = []
		if (this.format === 'mp3') return this.encodeMp3(send, dueMs)
		const whole = this.fill - (this.fill % this.frameSamples)
		if (whole === 0 || this.format === 'pcm16') return
		let from = 0
		if (!this.inTurn) {
			this.startAnswer()
			send(this.encodeOne(this.pending.subarray(0, this.frameSamples)))
			from = this.frameSamples
		}
		const batch = from < whole ? this.encoder!.encodeFrames(this.pending.subarray(from, whole), this.frameSamples, dueMs) : undefined
		// The batch was copied: the partial frame moves to the front now.
		this.pending.copyWithin(0, whole, this.fill)
		this.fill -= whole
		if (batch) for (const p of await batch) send(p)
	}

	/** Releases codec state; a later push makes it again. */
	free(): void {
		this.reset()
		this.encoder?.free()
		this.mp3?.free()
		this.relay.free()
		this.encoder = undefined
		this.mp3 = undefined
	}

	/** Drops what is framed but not encoded, and any encode still queued (barge-in, end of turn). */
	reset(): void {
		if (this.inTurn && this.format === 'opus') this.load.ended()
		this.inTurn = false
		this.generation++
		this.fill = 0
		this.pending = EMPTY
		this.ready = []
		this.resampled = EMPTY
		this.ending = false
		this.resampler?.reset()
		this.encoder?.reset()
		// ! A new MP3 stream per answer: no frame of the next one leans on bytes the toy never got.
		this.mp3?.reset()
		this.framer.reset()
		this.relay.reset()
	}

	/**
	 * MP3 takes any number of samples and hands back bytes as its frames complete; they are cut
	 * into pieces of whole frames (the last piece of a stream may hold fewer).
	 */
	private async encodeMp3(send: (packet: Uint8Array) => void, dueMs: number): Promise<void> {
		const ending = this.ending
		if (this.fill === 0 && !ending) return
		this.mp3 ??= this.codec.createMp3Encoder(MP3_RATE, MP3_KBPS)
		const mp3 = this.mp3
		this.inTurn = true
		const gen = this.generation
		const work = this.fill > 0 ? mp3.encode(this.pending.subarray(0, this.fill), dueMs) : undefined
		this.fill = 0
		this.ending = false
		// ! One call at a time: the flush must not overtake the encode on another encode thread.
		const body = await work
		// A barge-in came while this was encoded: the bytes belong to a stream that is gone.
		if (gen !== this.generation) return
		if (body) this.framer.push(body)
		if (ending) {
			const last = await mp3.flush(dueMs)
			if (gen !== this.generation) return
			this.framer.push(last)
		}
		for (const piece of this.framer.take(MP3_FRAMES_PER_PIECE, ending)) send(piece)
	}

	/** Completes a partial frame with silence. */
	private padFrame(): void {
		const partial = this.fill % this.frameSamples
		if (partial > 0) this.frameIn(new Int16Array(this.frameSamples - partial))
	}

	private frameIn(samples: Int16Array): void {
		const need = this.fill + samples.length
		if (this.pending.length < need) {
			// Whole frames, with room for a typical provider chunk (240 ms) so it rarely grows again.
			const grown = new Int16Array(Math.max(need, this.frameSamples * 8))
			grown.set(this.pending.subarray(0, this.fill))
			this.pending = grown
		}
		this.pending.set(samples, this.fill)
		this.fill = need
		if (this.format === 'pcm16') this.takePcm16()
	}

	private takePcm16(): void {
		const fs = this.frameSamples
		const whole = this.fill - (this.fill % fs)
		for (let at = 0; at < whole; at += fs) this.ready.push(new Uint8Array(this.pending.slice(at, at + fs).buffer))
		this.pending.copyWithin(0, whole, this.fill)
		this.fill -= whole
	}

	private startAnswer(): void {
		this.encoder ??= this.createEncoder()
		this.inTurn = true
		this.encoder.setComplexity(this.load.started())
	}

	private encodeOne(frame: Int16Array): Uint8Array {
		const n = this.encoder!.encode(frame, this.load.packetBuf)
		return this.load.packetBuf.slice(0, n)
	}

	private createEncoder(): OpusEncoder {
		const enc = this.codec.createEncoder(this.sampleRate as OpusRate, 1, 'voip')
		// Speech to a small speaker: 24 kbit/s in the speech band; complexity is set per answer.
		enc.setBitrate(24_000)
		enc.setMaxBandwidth(DOWNLINK_BAND_HZ)
		return enc
	}

	private resample(pcm: Int16Array, rate: number): Int16Array {
		if (!this.resampler || this.resamplerRate !== rate) {
			this.resampler = this.codec.createResampler(rate, this.sampleRate)
			this.resamplerRate = rate
		}
		const out = this.scratch(this.resampler.maxOutput(pcm.length))
		return out.subarray(0, this.resampler.process(pcm, out))
	}

	private scratch(samples: number): Int16Array {
		if (this.resampled.length < samples) this.resampled = new Int16Array(Math.max(samples, 4096))
		return this.resampled
	}
}
