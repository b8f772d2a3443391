// Ogg Opus (RFC 3533 pages, RFC 7845 mapping) in TypeScript: the fallback twin of
// native/core/src/ogg.rs and ogg_reader.rs. It writes the same bytes as the Rust writer (which
// follows the `ogg` crate's page layout) for the same serial, and reads with the same checks in the
// same order, failing with the same messages, so a gateway behaves alike on either codec.

import { CodecError, type OggDemuxer } from './types'

/** libopus's decoder delay at 48 kHz, as opusenc writes it into OpusHead. */
export const PRE_SKIP_48K = 312
/** The longest Opus packet lasts 120 ms. */
export const MAX_PACKET_SAMPLES_48K = 5760
// ? A page is closed once it holds 1 s of audio, so a live stream is never held back long.
const PAGE_SAMPLES_48K = 48_000
const VENDOR = new TextEncoder().encode('teddy')

const HEADER_LEN = 27
// ? 120 ms of 1275-byte frames plus framing is about 61 KB; past 64 KiB it is not Opus audio.
const MAX_AUDIO_PACKET = 65_536
// ? OpusTags may carry pictures: skipped, but memory stays bounded.
const MAX_HEADER_PACKET = 1 << 20
const NO_GRANULE = 0xffff_ffff_ffff_ffffn

// CRC-32 of Ogg: polynomial 0x04c11db7, not reflected, initial value 0, no final xor.
const CRC_TABLE = (() => {
	const t = new Uint32Array(256)
	for (let i = 0; i < 256; i++) {
		let r = i << 24
		for (let k = 0; k < 8; k++) r = r & 0x8000_0000 ? (r << 1) ^ 0x04c1_1db7 : r << 1
		t[i] = r >>> 0
	}
	return t
})()

export function oggCrc(crc: number, bytes: Uint8Array): number {
	let c = crc
	for (let i = 0; i < bytes.length; i++) c = ((c << 8) ^ CRC_TABLE[((c >>> 24) ^ bytes[i]) & 0xff]) >>> 0
	return c
}

/** The arguments both codecs refuse, with the native writer's message where it has one. */
export function checkMuxArgs(frameSamples48k: number, inputSampleRate: number): void {
	if (!Number.isInteger(frameSamples48k) || frameSamples48k < 1 || frameSamples48k > MAX_PACKET_SAMPLES_48K) {
		throw new CodecError(
			`invalid Opus packet duration of ${frameSamples48k} samples at 48 kHz: use 1..=5760 (120 ms)`,
		)
	}
	if (!Number.isInteger(inputSampleRate) || inputSampleRate < 0 || inputSampleRate > 0xffff_ffff) {
		throw new CodecError(`invalid input sample rate ${inputSampleRate}: use an integer number of Hz (0 = unknown)`)
	}
}

/** RFC 3533 wants a random serial per stream so files can be chained. */
export function randomSerial(): number {
	return crypto.getRandomValues(new Uint32Array(1))[0]
}

type PacketEnd = 'packet' | 'page' | 'stream'

/**
 * Lays packets out on pages exactly as the `ogg` crate's PacketWriter does (the native writer):
 * a page is cut at 255 segments or when asked; its granule is that of the last packet finishing
 * on it, or all ones when none does.
 */
class PageWriter {
	private readonly out: Uint8Array[] = []
	private first = true
	private sequence = 0
	private lacing: number[] = []
	private chunks: { data: Uint8Array; granule: number }[] = []
	private thisOverflow: number | null = null
	private lastOverflow: number | null = null

	constructor(private readonly serial: number) {}

	write(packet: Uint8Array, end: PacketEnd, granule: number): void {
		this.chunks.push({ data: packet, granule })
		const needed = Math.floor(packet.length / 255) + 1
		let atPageEnd = false
		for (let i = 0; i < needed; i++) {
			atPageEnd = false
			this.lacing.push(i + 1 < needed ? 255 : packet.length % 255)
			if (this.lacing.length < 255) continue
			if (i + 1 < needed) {
				this.thisOverflow = (i + 1) * 255
				this.page(false)
			} else {
				this.page(end === 'stream')
				this.lastOverflow = null
			}
			atPageEnd = true
		}
		if (end !== 'packet' && !atPageEnd) {
			this.page(end === 'stream')
			this.lastOverflow = null
		}
	}

	bytes(): Uint8Array {
		const total = this.out.reduce((n, b) => n + b.length, 0)
		const file = new Uint8Array(total)
		let at = 0
		for (const b of this.out) {
			file.set(b, at)
			at += b.length
		}
		return file
	}

	private page(last: boolean): void {
		const n = this.chunks.length
		let granule = NO_GRANULE
		const parts: Uint8Array[] = []
		for (let i = 0; i < n; i++) {
			const { data, granule: g } = this.chunks[i]
			const cut = i + 1 === n && this.thisOverflow !== null
			if (!cut) granule = BigInt(g)
			const start = i === 0 && this.lastOverflow !== null ? this.lastOverflow : 0
			parts.push(data.subarray(start, cut ? (this.thisOverflow ?? data.length) : data.length))
		}
		const bodyLen = parts.reduce((s, p) => s + p.length, 0)
		const page = new Uint8Array(HEADER_LEN + this.lacing.length + bodyLen)
		const view = new DataView(page.buffer)
		page.set([0x4f, 0x67, 0x67, 0x53, 0])
		page[5] = (this.lastOverflow !== null ? 1 : 0) | (this.first ? 2 : 0) | (last ? 4 : 0)
		view.setBigUint64(6, granule, true)
		view.setUint32(14, this.serial, true)
		view.setUint32(18, this.sequence, true)
		page[26] = this.lacing.length
		page.set(this.lacing, HEADER_LEN)
		let at = HEADER_LEN + this.lacing.length
		for (const p of parts) {
			page.set(p, at)
			at += p.length
		}
		view.setUint32(22, oggCrc(0, page), true)
		this.out.push(page)

		this.first = false
		this.sequence = (this.sequence + 1) >>> 0
		this.lacing = []
		this.chunks = this.thisOverflow !== null ? [this.chunks[n - 1]] : []
		this.lastOverflow = this.thisOverflow
		this.thisOverflow = null
	}
}

function opusHead(inputSampleRate: number): Uint8Array {
	const b = new Uint8Array(19)
	const v = new DataView(b.buffer)
	b.set(new TextEncoder().encode('OpusHead'))
	b[8] = 1 // version 1; readers accept any 0x0N
	b[9] = 1 // mono
	v.setUint16(10, PRE_SKIP_48K, true)
	v.setUint32(12, inputSampleRate, true)
	// output gain 0, channel mapping family 0
	return b
}

function opusTags(): Uint8Array {
	const b = new Uint8Array(16 + VENDOR.length)
	const v = new DataView(b.buffer)
	b.set(new TextEncoder().encode('OpusTags'))
	v.setUint32(8, VENDOR.length, true)
	b.set(VENDOR, 12)
	return b
}

/**
 * Muxes mono Opus packets of `frameSamples48k` samples each into one Ogg Opus file: OpusHead and
 * OpusTags alone on their pages (granule 0), audio pages closed after 1 s, granule = samples so far
 * (pre-skip included, RFC 7845 §4), end of stream on the last page. `serial` is for tests.
 */
export function muxOggOpus(
	packets: readonly Uint8Array[],
	frameSamples48k: number,
	inputSampleRate: number,
	serial = randomSerial(),
): Uint8Array {
	checkMuxArgs(frameSamples48k, inputSampleRate)
	const w = new PageWriter(serial >>> 0)
	w.write(opusHead(inputSampleRate), 'page', 0)
	// ? Each packet waits for the next, so the last one can carry the end-of-stream flag.
	let pending: { data: Uint8Array; granule: number; endsPage: boolean } = { data: opusTags(), granule: 0, endsPage: true }
	let granule = 0
	let pageStart = 0
	for (const packet of packets) {
		w.write(pending.data, pending.endsPage ? 'page' : 'packet', pending.granule)
		granule += frameSamples48k
		const endsPage = granule - pageStart >= PAGE_SAMPLES_48K
		if (endsPage) pageStart = granule
		pending = { data: packet, granule, endsPage }
	}
	w.write(pending.data, 'stream', pending.granule)
	return w.bytes()
}

type Stage = 'head' | 'tags' | 'audio'

/** One logical stream of a (possibly chained) physical stream. */
interface Link {
	serial: number
	nextSequence: number
	stage: Stage
	ended: boolean
	/** Pieces of a packet that continues on the next page (null: no packet is open). */
	open: Uint8Array[] | null
	openBytes: number
}

interface PageHeader {
	continued: boolean
	first: boolean
	last: boolean
	serial: number
	sequence: number
}

const CAPTURE = [0x4f, 0x67, 0x67, 0x53]
const hex = (n: number) => `0x${n.toString(16)}`
const hex8 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`
const bad = (message: string) => new CodecError(message)
const structure = (reason: string) => bad(`malformed Ogg stream: ${reason}`)
const badHeader = (reason: string) => bad(`malformed Opus header: ${reason}`)

function startsWith(b: Uint8Array, ascii: string): boolean {
	if (b.length < ascii.length) return false
	for (let i = 0; i < ascii.length; i++) if (b[i] !== ascii.charCodeAt(i)) return false
	return true
}

/** OpusHead's input sample rate, after the checks the native reader makes. */
function parseOpusHead(p: Uint8Array): number {
	if (!startsWith(p, 'OpusHead')) throw bad('not an Ogg Opus stream: first packet is not OpusHead')
	if (p.length < 19) throw badHeader('OpusHead shorter than 19 bytes')
	if (p[8] & 0xf0) throw badHeader('OpusHead major version is not 0')
	const channels = p[9]
	const family = p[18]
	if (channels === 0) throw badHeader('OpusHead declares 0 channels')
	if (family === 0 && channels >= 3) throw badHeader('channel mapping family 0 allows only 1 or 2 channels')
	if (family >= 1 && p.length < 21 + channels) throw badHeader('OpusHead channel mapping table is cut short')
	return new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(12, true)
}

/**
 * Incremental Ogg Opus demuxer (bytes in as they arrive, audio packets out as their pages
 * complete). One logical stream at a time; chained streams are read in order. Throws CodecError
 * on anything that is not clean Ogg Opus, and the same error on every call after that.
 */
export class OggOpusDemuxerTs implements OggDemuxer {
	private buf = new Uint8Array(4096)
	private start = 0
	private end_ = 0
	private consumed = 0
	private link: Link | null = null
	private rate: number | null = null
	private ready: Uint8Array[] = []
	private failed: CodecError | null = null

	get sampleRate(): number | null {
		return this.rate
	}

	push(bytes: Uint8Array): Uint8Array[] {
		if (this.failed) throw this.failed
		this.append(bytes)
		try {
			for (;;) {
				const len = this.nextPage()
				if (len === null) break
				this.start += len
				this.consumed += len
			}
		} catch (e) {
			this.failed = e instanceof CodecError ? e : bad(String(e))
			throw this.failed
		}
		const out = this.ready
		this.ready = []
		return out
	}

	end(): void {
		if (this.failed) throw this.failed
		const open = this.link?.open ? this.link.openBytes : 0
		const pending = this.end_ - this.start
		if (pending > 0 || open > 0 || this.link?.stage !== 'audio') {
			throw bad(
				`truncated Ogg Opus stream: input ended with ${pending + open} bytes of an incomplete page or packet`,
			)
		}
	}

	private append(bytes: Uint8Array): void {
		const pending = this.end_ - this.start
		if (this.end_ + bytes.length > this.buf.length) {
			const size = Math.max(this.buf.length, 2 * (pending + bytes.length))
			if (size > this.buf.length) {
				const next = new Uint8Array(size)
				next.set(this.buf.subarray(this.start, this.end_))
				this.buf = next
			} else {
				this.buf.copyWithin(0, this.start, this.end_)
			}
			this.start = 0
			this.end_ = pending
		}
		this.buf.set(bytes, this.end_)
		this.end_ += bytes.length
	}

	/** Parses the page at the front of the buffer; returns its length, or null when it is not complete. */
	private nextPage(): number | null {
		const rest = this.buf.subarray(this.start, this.end_)
		// ? The capture pattern is checked on a prefix too, so garbage fails at once.
		for (let i = 0; i < Math.min(4, rest.length); i++) {
			if (rest[i] !== CAPTURE[i]) throw bad(`not an Ogg stream: no 'OggS' page header at byte ${this.consumed}`)
		}
		if (rest.length < HEADER_LEN) return null
		if (rest[4] !== 0) throw bad(`unsupported Ogg stream structure version ${rest[4]} (only 0 exists)`)
		const segments = rest[26]
		if (rest.length < HEADER_LEN + segments) return null
		const lacing = rest.subarray(HEADER_LEN, HEADER_LEN + segments)
		let bodyLen = 0
		for (const l of lacing) bodyLen += l
		const pageLen = HEADER_LEN + segments + bodyLen
		if (rest.length < pageLen) return null
		this.acceptPage(rest.subarray(0, pageLen), lacing, rest.subarray(HEADER_LEN + segments, pageLen))
		return pageLen
	}

	private acceptPage(page: Uint8Array, lacing: Uint8Array, body: Uint8Array): void {
		const view = new DataView(page.buffer, page.byteOffset, page.byteLength)
		const header: PageHeader = {
			continued: (page[5] & 1) !== 0,
			first: (page[5] & 2) !== 0,
			last: (page[5] & 4) !== 0,
			serial: view.getUint32(14, true),
			sequence: view.getUint32(18, true),
		}
		// CRC first: nothing in a corrupted page is worth interpreting.
		const stored = view.getUint32(22, true)
		const zeroed = page.slice(0, HEADER_LEN)
		zeroed.fill(0, 22, 26)
		const computed = oggCrc(oggCrc(oggCrc(0, zeroed), lacing), body)
		if (stored !== computed) {
			throw bad(`corrupt Ogg page ${header.sequence}: CRC ${hex8(stored)} stored, ${hex8(computed)} computed`)
		}
		const link = this.enterLink(header)
		checkOpen(link, header, lacing)
		link.nextSequence = (header.sequence + 1) >>> 0
		link.ended = header.last
		let at = 0
		for (const l of lacing) {
			// ? A copy: the page's bytes are reused for later input once it is parsed.
			const piece = body.slice(at, at + l)
			at += l
			link.open ??= []
			link.open.push(piece)
			link.openBytes += l
			if (l === 255) continue
			const packet = concat(link.open, link.openBytes)
			link.open = null
			link.openBytes = 0
			this.packet(link, packet)
		}
	}

	private packet(link: Link, packet: Uint8Array): void {
		if (link.stage === 'head') {
			this.rate = parseOpusHead(packet)
			link.stage = 'tags'
		} else if (link.stage === 'tags') {
			if (!startsWith(packet, 'OpusTags')) throw badHeader('second packet is not OpusTags')
			link.stage = 'audio'
		} else {
			this.ready.push(packet)
		}
	}

	/** The link the page belongs to: the current one, or a new one for the first page or a chained stream. */
	private enterLink(page: PageHeader): Link {
		const l = this.link
		if (l === null) {
			if (!page.first) throw structure('stream does not begin with a beginning-of-stream page')
		} else if (l.serial === page.serial) {
			if (l.ended) throw structure(`page ${page.sequence} after the end of stream`)
			if (page.first) throw structure('second beginning-of-stream page for the same stream')
			if (page.sequence !== l.nextSequence) {
				throw structure(
					`page sequence jumps from ${(l.nextSequence - 1) >>> 0} to ${page.sequence} (pages lost)`,
				)
			}
			return l
		} else if (l.ended && page.first) {
			if (l.stage !== 'audio') throw structure('stream ended before its headers were complete')
		} else {
			throw structure(
				`page of stream ${hex(page.serial)} while reading stream ${hex(l.serial)}: interleaved streams are not supported`,
			)
		}
		this.link = {
			serial: page.serial,
			nextSequence: page.sequence,
			stage: 'head',
			ended: false,
			open: null,
			openBytes: 0,
		}
		return this.link
	}
}

/**
 * The page continues a packet exactly when one is open, and no packet outgrows its limit.
 * ? Checked before any bytes are kept, so endless continuation pages cannot grow memory.
 */
function checkOpen(link: Link, page: PageHeader, lacing: Uint8Array): void {
	const open = link.open !== null
	if (page.continued !== open) {
		throw structure(
			page.continued
				? 'page continues a packet that was never started'
				: 'page starts fresh while a packet is still open',
		)
	}
	const limit = link.stage === 'audio' ? MAX_AUDIO_PACKET : MAX_HEADER_PACKET
	let len = link.openBytes
	for (const l of lacing) {
		len += l
		if (len > limit) throw bad(`Ogg packet of at least ${len} bytes exceeds the ${limit}-byte limit`)
		if (l !== 255) len = 0
	}
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
	if (parts.length === 1) return parts[0]
	const out = new Uint8Array(total)
	let at = 0
	for (const p of parts) {
		out.set(p, at)
		at += p.length
	}
	return out
}
