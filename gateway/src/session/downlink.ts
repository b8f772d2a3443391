import type { Codec, OpusDecoder, OpusEncoder, OpusRate, Resampler } from '../codec'

// Turns provider PCM (any rate, any chunking) into the toy's downlink frames: resampled to the
// toy's rate, cut into whole frames, Opus-encoded (or left as PCM16 for seed-json pcm16 toys).
// push() only frames; encode() encodes what was framed, off the JS thread when the codec can.
// Codec state is made on the first answer and reused across turns; the frame buffer exists only
// while a turn is being framed, so an idle toy holds none of it.

export type DownlinkFormat = 'opus' | 'pcm16'

const MAX_PACKET = 1500
// One encode target for every session: the packet is copied out before the next encode.
const packetBuf = new Uint8Array(MAX_PACKET)
const EMPTY = new Int16Array(0)

// Complexity by load (DESIGN.md: downlink encode dominates). Each answer picks its complexity when
// its first frame is encoded, from how many answers each encoding thread carries at that moment;
// c5 costs about 3x c0 per frame (bench/results/codec.md) for a small gain on a toy's speaker.
// The steps are from the fleet bench: with hundreds of encoders their states no longer stay in
// cache and a frame costs about twice what codec.md measures; at 90-130 answers on one encode
// thread, c3 took 65 % of the core and the pacing ran late (README, Performance).
let encoding = 0
function complexityForLoad(encodeThreads: number): number {
	const perThread = encoding / Math.max(1, encodeThreads)
	if (perThread <= 24) return 5
	if (perThread <= 64) return 3
	return 1
}

export class Downlink {
	private encoder: OpusEncoder | undefined
	private resampler: Resampler | undefined
	private resamplerRate = 0
	private resampled = EMPTY
	/** Framed samples not yet encoded, back to back: whole frames, then a partial one. */
	private pending = EMPTY
	private fill = 0
	/** Packets that need no encode (pass-through Opus, pcm16 frames), in order. */
	private ready: Uint8Array[] = []
	private decoder: OpusDecoder | undefined
	private decoderRate = 0
	private decodeBuf = new Int16Array(0)
	private inTurn = false
	private readonly frameSamples: number

	constructor(
		private readonly codec: Codec,
		readonly format: DownlinkFormat,
		readonly sampleRate: OpusRate,
		readonly frameMs: number,
	) {
		this.frameSamples = (sampleRate * frameMs) / 1000
	}

	/** Frames this chunk of provider audio; encode() then encodes them. */
	push(pcm: Int16Array, rate: number): void {
		this.frameIn(rate === this.sampleRate ? pcm : this.resample(pcm, rate))
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

	/**
	 * Provider Opus: passed through untouched when it already is the toy's rate and frame length
	 * (no decode, no encode), otherwise decoded and re-framed like PCM.
	 */
	pushOpus(packets: readonly Uint8Array[], rate: number, frameMs: number): void {
		if (this.format === 'opus' && rate === this.sampleRate && frameMs === this.frameMs && this.fill === 0) {
			for (const p of packets) this.ready.push(p)
			return
		}
		const decoder = this.decoderFor(rate as OpusRate)
		for (const p of packets) {
			const n = decoder.decode(p, this.decodeBuf)
			this.push(this.decodeBuf.subarray(0, n), rate)
		}
	}

	/** Ends a turn's framing: the resampler's tail and a last frame padded with silence. */
	flush(): void {
		if (this.resampler) {
			const tail = this.scratch(this.resampler.maxFlush())
			this.frameIn(tail.subarray(0, this.resampler.flush(tail)))
		}
		const partial = this.fill % this.frameSamples
		if (partial > 0) this.frameIn(new Int16Array(this.frameSamples - partial))
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
		this.decoder?.free()
		this.encoder = undefined
		this.decoder = undefined
		this.decoderRate = 0
	}

	/** Drops what is framed but not encoded, and any encode still queued (barge-in, end of turn). */
	reset(): void {
		if (this.inTurn) encoding--
		this.inTurn = false
		this.fill = 0
		this.pending = EMPTY
		this.ready = []
		this.resampled = EMPTY
		this.resampler?.reset()
		this.encoder?.reset()
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
		encoding++
		this.encoder.setComplexity(complexityForLoad(this.codec.encodeThreads))
	}

	private encodeOne(frame: Int16Array): Uint8Array {
		const n = this.encoder!.encode(frame, packetBuf)
		return packetBuf.slice(0, n)
	}
	private createEncoder(): OpusEncoder {
		const enc = this.codec.createEncoder(this.sampleRate, 1, 'voip')
		// Speech to a small speaker: 24 kbit/s is transparent enough; complexity is set per answer.
		enc.setBitrate(24_000)
		return enc
	}

	private decoderFor(rate: OpusRate): OpusDecoder {
		if (!this.decoder || this.decoderRate !== rate) {
			this.decoder?.free()
			this.decoder = this.codec.createDecoder(rate)
			this.decoderRate = rate
			// 120 ms is the longest Opus packet.
			this.decodeBuf = new Int16Array((rate * 120) / 1000)
		}
		return this.decoder
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

/** Answers being encoded right now, over every session (the encode threads' shared load). */
export function answersEncoding(): number {
	return encoding
}
