import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Codec } from '../../gateway/src/codec/types'
import { decodeAll, loadPackets, writePackets } from './packets'

// The one input every path of bench/codec.ts works on, made once and written to a temp dir so the
// Rust "direct" process (native/core/examples/codec_direct.rs) reads the very same samples and
// packets: recorded child speech (16 kHz mono, 60 ms Opus packets, as a toy sends it), its PCM,
// that PCM at the toy's 24 kHz and at MP3's 22.05 kHz, and the speech API's 48 kHz 20 ms packets.

export const UPLINK_RATE = 16000
export const UPLINK_FRAME = 960 // 60 ms at 16 kHz
export const TOY_RATE = 24000
export const TOY_FRAME = 1440 // 60 ms at 24 kHz
export const MP3_RATE = 22050

export interface CodecInput {
	dir: string
	uplink: Uint8Array[]
	speech16: Int16Array[]
	speech24: Int16Array[]
	pcm22: Int16Array
	answer20: Uint8Array[]
}

function frames(pcm: Int16Array, size: number): Int16Array[] {
	const out: Int16Array[] = []
	for (let at = 0; at + size <= pcm.length; at += size) out.push(pcm.slice(at, at + size))
	return out
}

function resampleAll(codec: Codec, pcm: Int16Array, from: number, to: number): Int16Array {
	const r = codec.createResampler(from, to)
	const out = new Int16Array(r.maxOutput(pcm.length))
	return out.slice(0, r.process(pcm, out))
}

/** The speech as the speech API sends it: 48 kHz, 20 ms packets, whole groups of three. */
function speechApiPackets(codec: Codec, pcm16: Int16Array): Uint8Array[] {
	const pcm = resampleAll(codec, pcm16, UPLINK_RATE, 48000)
	const enc = codec.createEncoder(48000, 1, 'audio')
	const buf = new Uint8Array(1500)
	const out: Uint8Array[] = []
	for (let at = 0; at + 960 <= pcm.length; at += 960) out.push(buf.slice(0, enc.encode(pcm.subarray(at, at + 960), buf)))
	enc.free()
	return out.slice(0, out.length - (out.length % 3))
}

const bytes = (pcm: Int16Array) => new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength)

/** Decodes and resamples `asset` with `codec` and writes the results for the direct process. */
export async function makeCodecInput(codec: Codec, asset: string): Promise<CodecInput> {
	const uplink = await loadPackets(asset)
	const speech16 = decodeAll(codec, uplink, UPLINK_RATE)
	const pcm24 = resampleAll(codec, speech16, UPLINK_RATE, TOY_RATE)
	const pcm22 = resampleAll(codec, speech16, UPLINK_RATE, MP3_RATE)
	const answer20 = speechApiPackets(codec, speech16)

	const dir = mkdtempSync(join(tmpdir(), 'teddy-codec-bench-'))
	writeFileSync(join(dir, 'uplink-16k-60ms.opuspackets'), writePackets(uplink))
	writeFileSync(join(dir, 'answer-48k-20ms.opuspackets'), writePackets(answer20))
	// ! Raw little-endian int16, as the Rust side reads it (every machine this runs on is LE).
	writeFileSync(join(dir, 'speech-16k.pcm'), bytes(speech16))
	writeFileSync(join(dir, 'speech-24k.pcm'), bytes(pcm24))
	writeFileSync(join(dir, 'speech-22k.pcm'), bytes(pcm22))
	return { dir, uplink, speech16: frames(speech16, UPLINK_FRAME), speech24: frames(pcm24, TOY_FRAME), pcm22, answer20 }
}
