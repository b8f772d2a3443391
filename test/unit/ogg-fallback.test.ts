import { beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { loadPackets } from '../../bench/lib/packets'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { loadNativeCodec, nativeCodecLoadError } from '../../gateway/src/codec/native'
import { muxOggOpus as muxTs, oggCrc } from '../../gateway/src/codec/ogg'
import { type Codec, CodecError } from '../../gateway/src/codec/types'

// The TypeScript Ogg Opus twin against the Rust one: a recording or a provider's Ogg body reads the
// same on either codec, and a broken one fails the same way, with the same message.
// ! Fails (never skips) when native/ is not built, like the other native suites.

const ASSET = join(import.meta.dir, '..', '..', 'bench', 'assets', 'speech-16k.opuspackets')
const FRAME_48K = 2880

let native: Codec
let packets: Uint8Array[]

beforeAll(async () => {
	const n = loadNativeCodec()
	if (!n) throw new Error(`native codec not built: ${String(nativeCodecLoadError())}`)
	native = n
	packets = await loadPackets(ASSET)
})

/** Seeded xorshift32, so a failing case can be replayed. */
function rng(seed: number): () => number {
	let s = seed >>> 0 || 1
	return () => {
		s ^= s << 13
		s ^= s >>> 17
		s ^= s << 5
		return (s >>> 0) / 2 ** 32
	}
}

function randomPackets(rand: () => number, count: number, maxLen: number): Uint8Array[] {
	return Array.from({ length: count }, () => {
		const p = new Uint8Array(Math.floor(rand() * (maxLen + 1)))
		for (let i = 0; i < p.length; i++) p[i] = Math.floor(rand() * 256)
		return p
	})
}

function demux(codec: Codec, file: Uint8Array, chunk: number): { out: Uint8Array[]; rate: number | null } {
	const d = codec.createOggDemuxer()
	const out: Uint8Array[] = []
	for (let at = 0; at < file.length; at += chunk) out.push(...d.push(file.subarray(at, at + chunk)))
	d.end()
	return { out, rate: d.sampleRate }
}

/** The outcome of reading `file` whole: packets, or the error's class and message. */
function outcome(codec: Codec, file: Uint8Array, chunk: number): string {
	try {
		const { out, rate } = demux(codec, file, chunk)
		return `ok ${rate} ${out.map((p) => Buffer.from(p).toString('hex')).join(',')}`
	} catch (e) {
		if (!(e instanceof CodecError)) throw e
		return `error ${e.message}`
	}
}

const serialOf = (file: Uint8Array) => new DataView(file.buffer, file.byteOffset).getUint32(14, true)

function expectSame(a: readonly Uint8Array[], b: readonly Uint8Array[]): void {
	expect(a.length).toBe(b.length)
	a.forEach((p, i) => expect(Buffer.from(p).equals(Buffer.from(b[i]))).toBe(true))
}

describe('ogg opus fallback', () => {
	test('computes the Ogg CRC-32 of the reference string', () => {
		// ? CRC-32/MPEG-2 without its init/xorout: poly 0x04c11db7, init 0, not reflected (check value of "123456789").
		expect(oggCrc(0, new TextEncoder().encode('123456789'))).toBe(0x89a1897f)
	})

	test('writes the same bytes as the native muxer for the same serial', () => {
		const rand = rng(7)
		const cases: [Uint8Array[], number, number][] = [
			[packets, FRAME_48K, 16000],
			[[], FRAME_48K, 24000],
			[packets.slice(0, 1), 960, 48000],
			// Packets of 255·k bytes, packets spanning pages, pages cut at 255 segments.
			[[new Uint8Array(255), new Uint8Array(510), new Uint8Array(0), new Uint8Array(70_000)], 120, 0],
			[randomPackets(rand, 300, 600), 960, 16000],
			[randomPackets(rand, 40, 5000), 5760, 8000],
		]
		for (const [input, frame, rate] of cases) {
			const fromNative = native.muxOggOpus(input, frame, rate)
			const fromTs = muxTs(input, frame, rate, serialOf(fromNative))
			expect(Buffer.from(fromTs).equals(Buffer.from(fromNative))).toBe(true)
		}
	})

	test('TS mux reads back through native demux and native mux through TS demux', () => {
		for (const chunk of [1, 97, 4096, 1 << 20]) {
			const viaNative = demux(native, fallbackCodec.muxOggOpus(packets, FRAME_48K, 16000), chunk)
			expect(viaNative.rate).toBe(16000)
			expectSame(viaNative.out, packets)
			const viaTs = demux(fallbackCodec, native.muxOggOpus(packets, FRAME_48K, 24000), chunk)
			expect(viaTs.rate).toBe(24000)
			expectSame(viaTs.out, packets)
		}
	})

	test('reports no sample rate before the header page', () => {
		const d = fallbackCodec.createOggDemuxer()
		expect(d.sampleRate).toBeNull()
		expect(d.push(new Uint8Array([0x4f, 0x67]))).toEqual([])
		expect(d.sampleRate).toBeNull()
		expect(native.createOggDemuxer().sampleRate).toBeNull()
	})

	test('refuses a bad duration or rate on both codecs alike', () => {
		for (const [frame, rate] of [
			[0, 16000],
			[5761, 16000],
			[2.5, 16000],
			[2880, -1],
			[2880, 2 ** 32],
		]) {
			const errors = [native, fallbackCodec].map((c) => {
				try {
					c.muxOggOpus(packets.slice(0, 2), frame, rate)
				} catch (e) {
					expect(e).toBeInstanceOf(CodecError)
					return (e as Error).message
				}
				throw new Error(`accepted ${frame} samples at ${rate} Hz`)
			})
			expect(errors[0]).toBe(errors[1])
		}
	})

	test('a flipped byte anywhere fails both demuxers with the same error', () => {
		const file = native.muxOggOpus(packets.slice(0, 60), FRAME_48K, 16000)
		for (let at = 0; at < file.length; at += 7) {
			const bad = file.slice()
			bad[at] ^= 0x5a
			const n = outcome(native, bad, 1000)
			expect(n).toStartWith('error ')
			expect(outcome(fallbackCodec, bad, 1000)).toBe(n)
		}
		const crc = file.slice()
		crc[crc.length - 1] ^= 0xff
		expect(outcome(fallbackCodec, crc, 512)).toMatch(/^error corrupt Ogg page \d+: CRC/)
	})

	test('a cut stream fails end() on both, with the same error', () => {
		const file = native.muxOggOpus(packets.slice(0, 60), FRAME_48K, 16000)
		for (const cut of [0, 1, 4, 27, 40, 100, file.length - 300, file.length - 1]) {
			const n = outcome(native, file.subarray(0, cut), 333)
			expect(n).toMatch(/^error truncated Ogg Opus stream/)
			expect(outcome(fallbackCodec, file.subarray(0, cut), 333)).toBe(n)
		}
	})

	test('keeps refusing after the first error', () => {
		const d = fallbackCodec.createOggDemuxer()
		expect(() => d.push(new TextEncoder().encode('RIFF\u0000\u0000WAVE'))).toThrow("not an Ogg stream: no 'OggS' page header at byte 0")
		const valid = fallbackCodec.muxOggOpus(packets.slice(0, 3), FRAME_48K, 16000)
		expect(() => d.push(valid)).toThrow('not an Ogg stream')
		expect(() => d.end()).toThrow('not an Ogg stream')
	})

	test('random garbage and CRC-valid forged pages only ever raise CodecError, as native does', () => {
		const rand = rng(20240611)
		const base = native.muxOggOpus(packets.slice(0, 30), FRAME_48K, 16000)
		for (let i = 0; i < 1500; i++) {
			let file: Uint8Array
			const kind = i % 3
			if (kind === 0) {
				file = randomPackets(rand, 1, 400)[0]
				if (rand() < 0.5) file.set([0x4f, 0x67, 0x67, 0x53, 0].slice(0, Math.min(5, file.length)))
			} else {
				// Mutate a valid file, then fix the CRC of every page so the structure checks are reached.
				file = base.slice()
				const flips = 1 + Math.floor(rand() * 4)
				for (let k = 0; k < flips; k++) file[Math.floor(rand() * file.length)] = Math.floor(rand() * 256)
				if (kind === 2) refixCrcs(file)
			}
			const chunk = 1 + Math.floor(rand() * 600)
			const n = outcome(native, file, chunk)
			expect(outcome(fallbackCodec, file, chunk)).toBe(n)
		}
	})

	test('chained streams are read in order', () => {
		const a = native.muxOggOpus(packets.slice(0, 5), FRAME_48K, 16000)
		const b = fallbackCodec.muxOggOpus(packets.slice(5, 9), FRAME_48K, 24000)
		const both = new Uint8Array(a.length + b.length)
		both.set(a)
		both.set(b, a.length)
		for (const codec of [native, fallbackCodec]) {
			const r = demux(codec, both, 50)
			expectSame(r.out, packets.slice(0, 9))
			expect(r.rate).toBe(24000)
		}
	})
})

/** Walks pages as far as their headers allow and rewrites each CRC. */
function refixCrcs(file: Uint8Array): void {
	const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
	let at = 0
	while (at + 27 <= file.length) {
		const segments = file[at + 26]
		if (at + 27 + segments > file.length) return
		let len = 27 + segments
		for (let i = 0; i < segments; i++) len += file[at + 27 + i]
		if (at + len > file.length) return
		view.setUint32(at + 22, 0, true)
		view.setUint32(at + 22, oggCrc(0, file.subarray(at, at + len)), true)
		at += len
	}
}
