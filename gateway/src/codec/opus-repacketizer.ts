import { CodecError, type OpusRepacketizer, REPACKET_REFUSED } from './types'

// The TypeScript twin of native/core/src/repacketize.rs (libopus' repacketizer): consecutive
// Opus packets of one TOC configuration joined into packets of a target length without decoding
// (RFC 6716 §3.2). Parsing follows libopus' opus_packet_parse and framing its
// opus_repacketizer_out, so both codecs hand a toy the same bytes (test/unit/repacketize-parity).

const UNIT_48K = 120
const MAX_48K = 5760
const MAX_FRAME_BYTES = 1275

// Frame length in 48 kHz samples by TOC config (SILK 10/20/40/60, hybrid 10/20, CELT 2.5/5/10/20 ms).
const FRAME_48K = [
	480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 480, 960, 120, 240, 480, 960, 120, 240, 480,
	960, 120, 240, 480, 960, 120, 240, 480, 960,
]

/** One frame: where its bytes are in the packet. */
interface Frame {
	at: number
	len: number
}

/** A frame length from the packet (RFC 6716 §3.2.1): one byte below 252, else two. */
function readSize(p: Uint8Array, at: number, end: number): { size: number; bytes: number } {
	if (at >= end) return { size: -1, bytes: 1 }
	if (p[at] < 252) return { size: p[at], bytes: 1 }
	if (at + 1 >= end) return { size: -1, bytes: 1 }
	return { size: 4 * p[at + 1] + p[at], bytes: 2 }
}

/** The packet's frames without its padding, or null where libopus would say OPUS_INVALID_PACKET. */
export function parseOpusPacket(p: Uint8Array): Frame[] | null {
	if (p.length === 0) return null
	const toc = p[0]
	const frame48k = FRAME_48K[toc >> 3]
	let at = 1
	let len = p.length - 1
	let lastSize = len
	const sizes: number[] = []
	let count: number
	switch (toc & 3) {
		case 0:
			count = 1
			break
		case 1:
			count = 2
			if (len & 1) return null
			lastSize = len / 2
			sizes.push(lastSize)
			break
		case 2: {
			count = 2
			const s = readSize(p, at, p.length)
			len -= s.bytes
			if (s.size < 0 || s.size > len) return null
			at += s.bytes
			sizes.push(s.size)
			lastSize = len - s.size
			break
		}
		default: {
			if (len < 1) return null
			const ch = p[at++]
			count = ch & 0x3f
			if (count <= 0 || frame48k * count > MAX_48K) return null
			len--
			if (ch & 0x40) {
				let pad: number
				do {
					if (len <= 0) return null
					pad = p[at++]
					len--
					len -= pad === 255 ? 254 : pad
				} while (pad === 255)
			}
			if (len < 0) return null
			if (ch & 0x80) {
				lastSize = len
				for (let i = 0; i < count - 1; i++) {
					const s = readSize(p, at, at + len)
					len -= s.bytes
					if (s.size < 0 || s.size > len) return null
					at += s.bytes
					sizes.push(s.size)
					lastSize -= s.bytes + s.size
				}
				if (lastSize < 0) return null
			} else {
				lastSize = Math.floor(len / count)
				if (lastSize * count !== len) return null
				for (let i = 0; i < count - 1; i++) sizes.push(lastSize)
			}
		}
	}
	if (lastSize > MAX_FRAME_BYTES) return null
	sizes.push(lastSize)
	const frames: Frame[] = []
	for (const size of sizes) {
		frames.push({ at, len: size })
		at += size
	}
	return frames
}

export class OpusRepacketizerTs implements OpusRepacketizer {
	/** The group's frames, as views into the packets pushed (kept alive by this array). */
	private frames: Uint8Array[] = []
	private toc = 0
	private frame48k = 0
	private samples = 0
	private bytes = 0

	constructor(readonly targetSamples48k: number) {
		if (!Number.isInteger(targetSamples48k) || targetSamples48k <= 0 || targetSamples48k > MAX_48K || targetSamples48k % UNIT_48K) {
			throw new CodecError(`invalid Opus repacketizer target ${targetSamples48k} samples at 48 kHz: a multiple of 120 (2.5 ms) up to 5760 (120 ms)`)
		}
	}

	get pendingSamples48k(): number {
		return this.samples
	}

	push(packet: Uint8Array, out: Uint8Array): number {
		const frames = parseOpusPacket(packet)
		if (!frames) throw new CodecError('corrupt Opus packet: libopus could not parse it')
		const toc = packet[0] & 0xfc
		const frame48k = FRAME_48K[toc >> 3]
		const samples = frames.length * frame48k
		// Unpadded: TOC, the frame-count byte of code 3, the length bytes, the frames.
		let len = 1
		for (const f of frames) len += f.len
		len += unpaddedHeader(frames)
		const fits =
			(this.samples === 0 || toc === this.toc) &&
			this.targetSamples48k % frame48k === 0 &&
			this.samples + samples <= this.targetSamples48k &&
			bound(this.bytes + len, this.frames.length + frames.length) <= out.length
		if (!fits) return REPACKET_REFUSED
		for (const f of frames) this.frames.push(packet.subarray(f.at, f.at + f.len))
		this.toc = toc
		this.frame48k = frame48k
		this.samples += samples
		this.bytes += len
		if (this.samples < this.targetSamples48k) return 0
		return this.emit(out)
	}

	pad(out: Uint8Array): number {
		if (this.samples === 0) return 0
		while (this.samples < this.targetSamples48k) {
			this.frames.push(EMPTY)
			this.samples += this.frame48k
			this.bytes += 1
		}
		return this.emit(out)
	}

	reset(): void {
		this.frames = []
		this.samples = 0
		this.bytes = 0
	}

	/** As opus_repacketizer_out: code 0 for one frame, 1 or 2 for two, 3 (CBR or VBR) for more. */
	private emit(out: Uint8Array): number {
		const f = this.frames
		const count = f.length
		let at = 0
		if (count === 1) {
			out[at++] = this.toc
		} else if (count === 2 && f[0].length === f[1].length) {
			out[at++] = this.toc | 1
		} else if (count === 2) {
			out[at++] = this.toc | 2
			at = writeSize(out, at, f[0].length)
		} else {
			const vbr = f.some((x) => x.length !== f[0].length)
			out[at++] = this.toc | 3
			out[at++] = vbr ? count | 0x80 : count
			if (vbr) for (let i = 0; i < count - 1; i++) at = writeSize(out, at, f[i].length)
		}
		for (const x of f) {
			out.set(x, at)
			at += x.length
		}
		this.reset()
		return at
	}
}

const EMPTY = new Uint8Array(0)

/** As bound() in repacketize.rs: the most a group can take once joined. */
function bound(bytes: number, frames: number): number {
	return bytes + 2 + 2 * Math.max(0, frames - 1)
}

/** Bytes opus_packet_unpad's framing of these frames spends beyond the TOC byte. */
function unpaddedHeader(frames: Frame[]): number {
	if (frames.length === 1) return 0
	if (frames.length === 2) return frames[0].len === frames[1].len ? 0 : sizeBytes(frames[0].len)
	const vbr = frames.some((x) => x.len !== frames[0].len)
	let n = 1
	if (vbr) for (let i = 0; i < frames.length - 1; i++) n += sizeBytes(frames[i].len)
	return n
}

function sizeBytes(size: number): number {
	return size < 252 ? 1 : 2
}

function writeSize(out: Uint8Array, at: number, size: number): number {
	if (size < 252) {
		out[at] = size
		return at + 1
	}
	const first = 252 + (size & 3)
	out[at] = first
	out[at + 1] = (size - first) >> 2
	return at + 2
}
