import { beforeAll, describe, expect, test } from 'bun:test'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { loadPackets } from '../../bench/lib/packets'

// Ogg Opus from the Rust module: what the gateway muxes (recordings) reads back packet for packet,
// and a hostile or broken stream (a provider's TTS body, an upload) is a clear error, not a crash.
// ! Fails (never skips) when native/ is not built, like the other native suites.

interface OggNative {
	muxOggOpus(packets: Uint8Array[], frameSamples48k: number, inputSampleRate: number): Buffer
	OggOpusDemuxer: new () => { push(bytes: Uint8Array): Uint8Array[]; end(): void; readonly sampleRate: number | null }
}

const ASSET = join(import.meta.dir, '..', '..', 'bench', 'assets', 'speech-16k.opuspackets')
const FRAME_48K = 2880 // 60 ms

let native: OggNative
let packets: Uint8Array[]

beforeAll(async () => {
	native = createRequire(import.meta.url)('../../native/index.js') as OggNative
	packets = await loadPackets(ASSET)
})

function demux(file: Uint8Array, chunk: number): { out: Uint8Array[]; rate: number | null } {
	const d = new native.OggOpusDemuxer()
	const out: Uint8Array[] = []
	for (let at = 0; at < file.length; at += chunk) out.push(...d.push(file.subarray(at, at + chunk)))
	d.end()
	return { out, rate: d.sampleRate }
}

function captureError(fn: () => unknown): Error & { code?: string } {
	try {
		fn()
	} catch (e) {
		return e as Error & { code?: string }
	}
	throw new Error('expected a throw')
}

describe('ogg opus', () => {
	test('demuxes what it muxed, packet for packet, in any chunking', () => {
		const file = native.muxOggOpus(packets, FRAME_48K, 16000)
		expect(file.subarray(0, 4).toString()).toBe('OggS')
		for (const chunk of [1, 100, 4096, file.length]) {
			const { out, rate } = demux(file, chunk)
			expect(rate).toBe(16000)
			expect(out.length).toBe(packets.length)
			out.forEach((p, i) => expect(Buffer.from(p).equals(Buffer.from(packets[i]))).toBe(true))
		}
	})

	test('reports no sample rate before the header page', () => {
		const d = new native.OggOpusDemuxer()
		expect(d.sampleRate).toBeNull()
		expect(d.push(new Uint8Array([0x4f, 0x67]))).toEqual([])
		expect(d.sampleRate).toBeNull()
	})

	test('refuses garbage with a clear error and keeps refusing', () => {
		const d = new native.OggOpusDemuxer()
		const e = captureError(() => d.push(new TextEncoder().encode('RIFF\u0000\u0000WAVEfmt ')))
		expect(e.message).toContain('not an Ogg stream')
		expect(e.code).toBe('InvalidArg')
		expect(() => d.push(new Uint8Array([1, 2, 3]))).toThrow('not an Ogg stream')
	})

	test('refuses a corrupted page by its CRC', () => {
		const file = Buffer.from(native.muxOggOpus(packets.slice(0, 40), FRAME_48K, 16000))
		file[file.length - 1] ^= 0xff
		expect(() => demux(file, 512)).toThrow(/CRC/)
	})

	test('waits for the rest of a cut stream, and end() says it was cut', () => {
		const file = native.muxOggOpus(packets.slice(0, 40), FRAME_48K, 16000)
		const d = new native.OggOpusDemuxer()
		d.push(file.subarray(0, file.length - 10))
		expect(() => d.end()).toThrow(/truncated/)
		expect(d.push(file.subarray(file.length - 10)).length).toBeGreaterThan(0)
		d.end()
	})

	test('survives random bytes and goes on demuxing other streams', () => {
		let seed = 42
		const rand = () => {
			seed = (seed * 1103515245 + 12345) >>> 0
			return seed >>> 24
		}
		for (let i = 0; i < 200; i++) {
			const junk = Uint8Array.from({ length: 5 + (i % 97) * 7 }, rand)
			if (i % 2) junk.set([0x4f, 0x67, 0x67, 0x53, 0]) // past the capture pattern, into the parser
			const d = new native.OggOpusDemuxer()
			try {
				d.push(junk)
				d.end()
			} catch (e) {
				expect((e as Error).message.length).toBeGreaterThan(10)
			}
		}
		const file = native.muxOggOpus(packets.slice(0, 5), FRAME_48K, 24000)
		expect(demux(file, 64).out.length).toBe(5)
	})

	test('refuses a frame duration Opus cannot have', () => {
		expect(() => native.muxOggOpus(packets.slice(0, 2), 0, 16000)).toThrow(/duration/)
	})
})
