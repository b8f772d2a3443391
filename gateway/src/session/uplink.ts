import { CodecError, type Codec, type OpusDecoder, type OpusRate } from '../codec'

// Collects one turn of the child's speech as 16-bit PCM. The decoder is made when audio starts
// (not on connect) and reused for later turns at the same rate.

export type UplinkFormat = 'opus' | 'pcm16'

const OPUS_RATES = new Set([8000, 12000, 16000, 24000, 48000])
const MAX_FRAME_MS = 120

export class Uplink {
	private decoder: OpusDecoder | undefined
	private decoderRate = 0
	private scratch = new Int16Array(0)
	private chunks: Int16Array[] = []
	// The turn's Opus packets as received: transcription can take them as Ogg Opus with no
	// re-encoding. Dropped with the turn (no audio is kept after it is answered).
	private packets: Uint8Array[] = []
	private samples = 0
	format: UplinkFormat = 'opus'
	sampleRate = 16000

	constructor(
		private readonly codec: Codec,
		private readonly maxMs: number,
	) {}

	static validRate(format: UplinkFormat, rate: number): boolean {
		return format === 'opus' ? OPUS_RATES.has(rate) : Number.isInteger(rate) && rate >= 8000 && rate <= 48000
	}

	begin(format: UplinkFormat, sampleRate: number): void {
		this.format = format
		this.sampleRate = sampleRate
		this.chunks = []
		this.packets = []
		this.samples = 0
		if (format === 'opus' && this.decoderRate !== sampleRate) {
			this.decoder?.free()
			this.decoder = this.codec.createDecoder(sampleRate as OpusRate)
			this.decoderRate = sampleRate
			this.scratch = new Int16Array((sampleRate * MAX_FRAME_MS) / 1000)
		}
	}

	/** Releases the decoder; the next begin() makes a new one. */
	free(): void {
		this.decoder?.free()
		this.decoder = undefined
		this.decoderRate = 0
		this.chunks = []
		this.packets = []
		this.samples = 0
	}

	/** Decodes one chunk without keeping it (realtime mode listens for barge-in while speaking). */
	decodeOnly(data: Uint8Array): Int16Array {
		return this.decode(data)
	}

	/** Adds one chunk and returns its PCM, or null once the turn has reached its length cap. Throws CodecError on bad audio. */
	push(data: Uint8Array): Int16Array | null {
		if (this.full) return null
		const pcm = this.decode(data).slice()
		if (this.format === 'opus') this.packets.push(data.slice())
		this.chunks.push(pcm)
		this.samples += pcm.length
		return pcm
	}

	private decode(data: Uint8Array): Int16Array {
		let pcm: Int16Array
		if (this.format === 'opus') {
			if (!this.decoder) throw new CodecError('audio before audio_start')
			const n = this.decoder.decode(data, this.scratch)
			pcm = this.scratch.subarray(0, n)
		} else {
			if (data.byteLength % 2 !== 0) throw new CodecError('pcm16 chunk has an odd number of bytes')
			pcm = new Int16Array(data.slice().buffer)
		}
		return pcm
	}

	get full(): boolean {
		return this.samples >= (this.sampleRate * this.maxMs) / 1000
	}

	get durationMs(): number {
		return (this.samples * 1000) / this.sampleRate
	}

	/** The turn's Opus packets (empty for pcm16 toys); call before take(). */
	takePackets(): Uint8Array[] {
		const p = this.packets
		this.packets = []
		return p
	}

	/** The turn's speech, and an empty buffer for the next turn. */
	take(): Int16Array {
		const out = new Int16Array(this.samples)
		let o = 0
		for (const c of this.chunks) {
			out.set(c, o)
			o += c.length
		}
		this.chunks = []
		this.samples = 0
		return out
	}
}
