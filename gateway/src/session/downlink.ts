import type { Codec, OpusDecoder, OpusEncoder, OpusRate, Resampler } from '../codec'

// Turns provider PCM (any rate, any chunking) into the toy's downlink frames: resampled to the
// toy's rate, cut into whole frames, Opus-encoded (or left as PCM16 for seed-json pcm16 toys).
// Codec state is made on the first answer and reused across turns; the frame buffer exists only
// while a turn is being framed, so an idle toy holds none of it.

export type DownlinkFormat = 'opus' | 'pcm16'

const MAX_PACKET = 1500
// One encode target for every session: the packet is copied out before the next encode.
const packetBuf = new Uint8Array(MAX_PACKET)
const EMPTY = new Int16Array(0)

// Complexity by load (DESIGN.md: downlink encode dominates). Each answer picks its complexity when
// its first frame is encoded, from how many answers are being encoded at that moment; c5 costs
// about 3x c0 per frame (bench/results/codec.md) for a small gain on a toy's speaker.
let encoding = 0
function complexityForLoad(): number {
	if (encoding <= 32) return 5
	if (encoding <= 128) return 3
	return 1
}

export class Downlink {
	private encoder: OpusEncoder | undefined
	private resampler: Resampler | undefined
	private resamplerRate = 0
	private resampled = EMPTY
	private frame = EMPTY
	private fill = 0
	private decoder: OpusDecoder | undefined
	private decoderRate = 0
	private decodeBuf = new Int16Array(0)
	private inTurn = false

	constructor(
		private readonly codec: Codec,
		readonly format: DownlinkFormat,
		readonly sampleRate: OpusRate,
		readonly frameMs: number,
	) {}

	/** Frames completed by this chunk of provider audio. */
	push(pcm: Int16Array, rate: number, out: Uint8Array[]): void {
		this.frameIn(rate === this.sampleRate ? pcm : this.resample(pcm, rate), out)
	}

	private frameIn(samples: Int16Array, out: Uint8Array[]): void {
		if (this.frame.length === 0) this.frame = new Int16Array((this.sampleRate * this.frameMs) / 1000)
		let i = 0
		while (i < samples.length) {
			const n = Math.min(this.frame.length - this.fill, samples.length - i)
			this.frame.set(samples.subarray(i, i + n), this.fill)
			this.fill += n
			i += n
			if (this.fill === this.frame.length) out.push(this.emit())
		}
	}

	/**
	 * Provider Opus: passed through untouched when it already is the toy's rate and frame length
	 * (no decode, no encode), otherwise decoded and re-framed like PCM.
	 */
	pushOpus(packets: readonly Uint8Array[], rate: number, frameMs: number, out: Uint8Array[]): void {
		if (this.format === 'opus' && rate === this.sampleRate && frameMs === this.frameMs && this.fill === 0) {
			for (const p of packets) out.push(p)
			return
		}
		const decoder = this.decoderFor(rate as OpusRate)
		for (const p of packets) {
			const n = decoder.decode(p, this.decodeBuf)
			this.push(this.decodeBuf.subarray(0, n), rate, out)
		}
	}

	/** Ends a turn: the resampler's tail and a last frame padded with silence. */
	flush(out: Uint8Array[]): void {
		if (this.resampler) {
			const tail = this.scratch(this.resampler.maxFlush())
			this.frameIn(tail.subarray(0, this.resampler.flush(tail)), out)
		}
		if (this.fill > 0) {
			this.frame.fill(0, this.fill)
			out.push(this.emit())
		}
		this.reset()
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

	reset(): void {
		if (this.inTurn) encoding--
		this.inTurn = false
		this.fill = 0
		this.frame = EMPTY
		this.resampled = EMPTY
		this.resampler?.reset()
		this.encoder?.reset()
	}

	private emit(): Uint8Array {
		this.fill = 0
		if (this.format === 'pcm16') return new Uint8Array(this.frame.slice().buffer)
		this.encoder ??= this.createEncoder()
		if (!this.inTurn) {
			this.inTurn = true
			encoding++
			this.encoder.setComplexity(complexityForLoad())
		}
		const n = this.encoder.encode(this.frame, packetBuf)
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
