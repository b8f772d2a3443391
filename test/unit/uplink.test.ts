import { beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { loadPackets } from '../../bench/lib/packets'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { packetSamples48k } from '../../gateway/src/codec/opus-packets'
import { CodecError } from '../../gateway/src/codec/types'
import { Uplink } from '../../gateway/src/session/uplink'

// A turn nobody listens to while the child speaks (no VAD, no provider stream) is kept as the
// toy's packets and not decoded: the same checks and timing, and the same PCM if a provider asks.

const ASSET = join(import.meta.dir, '..', '..', 'bench', 'assets', 'speech-16k.opuspackets')
let packets: Uint8Array[]

beforeAll(async () => {
	packets = (await loadPackets(ASSET)).slice(0, 50)
})

function counting() {
	let decodes = 0
	let decoders = 0
	const codec = {
		...fallbackCodec,
		createDecoder: (rate: 16000) => {
			decoders++
			const dec = fallbackCodec.createDecoder(rate)
			return {
				decode: (p: Uint8Array | null, out: Int16Array) => {
					decodes++
					return dec.decode(p, out)
				},
				reset: () => dec.reset(),
				free: () => dec.free(),
			}
		},
	}
	return { codec, decodes: () => decodes, decoders: () => decoders }
}

describe('uplink', () => {
	test('kept as packets: no decode while the child speaks, same length, same PCM when asked', () => {
		const decoding = new Uplink(fallbackCodec, 30_000)
		decoding.begin('opus', 16000, true)
		for (const p of packets) decoding.push(p)
		const expectedMs = decoding.durationMs
		const expected = decoding.take()

		const { codec, decodes, decoders } = counting()
		const kept = new Uplink(codec, 30_000)
		kept.begin('opus', 16000, false)
		for (const p of packets) expect(kept.push(p)?.length).toBe(0)
		expect(decodes()).toBe(0)
		// No decoder state held for such a toy at all (opusscript's are scarce).
		expect(decoders()).toBe(0)
		expect(kept.durationMs).toBe(expectedMs)
		expect(expectedMs).toBe(packets.length * 60)
		const turn = kept.takePackets()
		expect(kept.take().length).toBe(0)
		expect(turn.length).toBe(packets.length)
		expect(kept.decodePackets(turn)).toEqual(expected)
	})

	test('kept as packets: a packet no Opus decoder could take is refused with a CodecError', () => {
		const up = new Uplink(fallbackCodec, 30_000)
		up.begin('opus', 16000, false)
		// Code 3 announcing 63 frames of 20 ms (1.26 s: over Opus's 120 ms), and an empty packet.
		expect(() => up.push(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x00]))).toThrow(CodecError)
		expect(() => up.push(new Uint8Array(0))).toThrow(CodecError)
		expect(up.push(packets[0])?.length).toBe(0)
	})

	test('kept as packets: the 30 s cap counts packet durations', () => {
		const up = new Uplink(fallbackCodec, 600)
		up.begin('opus', 16000, false)
		for (let i = 0; i < 10; i++) expect(up.push(packets[i])).not.toBeNull()
		expect(up.push(packets[10])).toBeNull()
	})
})

describe('Opus packet duration from the TOC byte', () => {
	test('reads every frame-count code, and refuses what RFC 6716 forbids', () => {
		// config 1 = SILK NB 20 ms (960 at 48 kHz); code in the two low bits.
		expect(packetSamples48k(new Uint8Array([0x08, 1, 2]))).toBe(960)
		expect(packetSamples48k(new Uint8Array([0x09, 1, 2]))).toBe(1920) // code 1, 2 bytes after TOC
		expect(packetSamples48k(new Uint8Array([0x09, 1, 2, 3]))).toBe(0) // code 1, odd split
		expect(packetSamples48k(new Uint8Array([0x0a, 1, 2]))).toBe(1920) // code 2
		expect(packetSamples48k(new Uint8Array([0x0b, 6]))).toBe(5760) // code 3, 6 × 20 ms = 120 ms
		expect(packetSamples48k(new Uint8Array([0x0b, 7]))).toBe(0) // 140 ms
		expect(packetSamples48k(new Uint8Array([0x0b, 0]))).toBe(0) // no frames
		expect(packetSamples48k(new Uint8Array([0x0b]))).toBe(0) // count byte missing
		expect(packetSamples48k(new Uint8Array(0))).toBe(0)
	})
})
