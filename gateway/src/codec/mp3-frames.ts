import { CodecError } from './types'

// Cuts an MP3 stream into pieces of whole frames. LAME hands bytes out as its bit reservoir allows,
// not a frame at a time, so a piece ends where a frame header says its frame ends (ISO 11172-3
// §2.4.2.3 and 13818-3: Layer III frame = 144 (MPEG-1) or 72 (MPEG-2, 2.5) × bitrate / rate + pad).

const KBPS_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
const KBPS_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
const RATES: Record<number, readonly number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] }

/** Bytes of the Layer III frame whose header starts at `at`; 0 if none does (or it is cut short). */
export function mp3FrameBytes(b: Uint8Array, at: number): number {
	if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0 || ((b[at + 1] >> 1) & 3) !== 1) return 0
	const version = (b[at + 1] >> 3) & 3
	const rate = RATES[version]?.[(b[at + 2] >> 2) & 3]
	const kbps = (version === 3 ? KBPS_V1 : KBPS_V2)[b[at + 2] >> 4]
	if (!rate || !kbps) return 0
	return Math.floor(((version === 3 ? 144 : 72) * kbps * 1000) / rate) + ((b[at + 2] >> 1) & 1)
}

export class Mp3Framer {
	private buf = new Uint8Array(0)
	private fill = 0

	push(bytes: Uint8Array): void {
		if (bytes.length === 0) return
		if (this.buf.length < this.fill + bytes.length) {
			const grown = new Uint8Array(Math.max(this.fill + bytes.length, 2048))
			grown.set(this.buf.subarray(0, this.fill))
			this.buf = grown
		}
		this.buf.set(bytes, this.fill)
		this.fill += bytes.length
	}

	/**
	 * Pieces of `framesPerPiece` whole frames, in order. `all`: the stream has ended, so the rest
	 * goes too, the last piece shorter if need be. Throws CodecError where no frame header is.
	 */
	take(framesPerPiece: number, all = false): Uint8Array[] {
		const pieces: Uint8Array[] = []
		let start = 0
		let at = 0
		let frames = 0
		while (at < this.fill) {
			const n = mp3FrameBytes(this.buf, at)
			if (n === 0 && at + 4 <= this.fill) throw new CodecError(`MP3 stream out of sync at byte ${at} of a piece`)
			if (n === 0 || at + n > this.fill) break
			at += n
			if (++frames === framesPerPiece) {
				pieces.push(this.buf.slice(start, at))
				start = at
				frames = 0
			}
		}
		if (all) {
			if (at !== this.fill) throw new CodecError(`MP3 stream ends inside a frame (${this.fill - at} bytes)`)
			if (frames > 0) pieces.push(this.buf.slice(start, at))
			start = at
		}
		this.buf.copyWithin(0, start, this.fill)
		this.fill -= start
		return pieces
	}

	reset(): void {
		this.fill = 0
	}
}
