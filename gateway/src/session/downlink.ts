import type { Codec, OpusDecoder, OpusEncoder, OpusRate } from '../codec'
import { Resampler } from '../codec/resample'

// Turns provider PCM (any rate, any chunking) into the toy's downlink frames: resampled to the
// toy's rate, cut into whole frames, Opus-encoded (or left as PCM16 for seed-json pcm16 toys).
// Encoder, resampler and frame buffer live as long as the session and are reused across turns.

export type DownlinkFormat = 'opus' | 'pcm16'

const MAX_PACKET = 1500

export class Downlink {
	private encoder: OpusEncoder | undefined
	private resampler: Resampler | undefined
	private readonly frame: Int16Array
	private fill = 0
	private readonly packetBuf = new Uint8Array(MAX_PACKET)
	private decoder: OpusDecoder | undefined
	private decoderRate = 0
	private decodeBuf = new Int16Array(0)

	constructor(
		private readonly codec: Codec,
		readonly format: DownlinkFormat,
		readonly sampleRate: OpusRate,
		readonly frameMs: number,
	) {
		this.frame = new Int16Array((sampleRate * frameMs) / 1000)
	}

	/** Frames completed by this chunk of provider audio. */
	push(pcm: Int16Array, rate: number, out: Uint8Array[]): void {
		const samples = rate === this.sampleRate ? pcm : this.resamplerFor(rate).process(pcm)
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
			const tail = this.resampler.flush()
			this.push(tail, this.sampleRate, out)
		}
		if (this.fill > 0) {
			this.frame.fill(0, this.fill)
			out.push(this.emit())
		}
		this.reset()
	}

	reset(): void {
		this.fill = 0
		this.resampler?.reset()
		this.encoder?.reset()
	}

	private emit(): Uint8Array {
		this.fill = 0
		if (this.format === 'pcm16') return new Uint8Array(this.frame.slice().buffer)
		this.encoder ??= this.createEncoder()
		const n = this.encoder.encode(this.frame, this.packetBuf)
		return this.packetBuf.slice(0, n)
	}

	private createEncoder(): OpusEncoder {
		const enc = this.codec.createEncoder(this.sampleRate, 1, 'voip')
		// Speech to a small speaker: 24 kbit/s is transparent enough, complexity 5 halves the CPU of 10.
		enc.setBitrate(24_000)
		enc.setComplexity(5)
		return enc
	}

	private decoderFor(rate: OpusRate): OpusDecoder {
		if (!this.decoder || this.decoderRate !== rate) {
			this.decoder = this.codec.createDecoder(rate)
			this.decoderRate = rate
			// 120 ms is the longest Opus packet.
			this.decodeBuf = new Int16Array((rate * 120) / 1000)
		}
		return this.decoder
	}

	private resamplerFor(rate: number): Resampler {
		if (!this.resampler || this.resampler.inRate !== rate) this.resampler = new Resampler(rate, this.sampleRate)
		return this.resampler
	}
}
