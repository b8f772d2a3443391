import type { Codec, OpusRate } from '../../gateway/src/codec/types'
import { medianMicros } from './report'

// What one 60 ms piece of an answer costs on its way to a toy, by path (bench/codec.ts):
//   - the speech API's 20 ms Opus joined into a 60 ms packet (repacketize: no decode, no encode),
//   - the same frames transcoded as before (decode three at 24 kHz, encode one 60 ms frame),
//   - MP3 for a seed toy (LAME at 22.05 kHz, 32 kbit/s), fed 240 ms at a time as provider chunks are.

export type DownlinkOp = 'repacketize 3×20 ms' | 'transcode 3×20 ms c0' | 'transcode 3×20 ms c5' | 'mp3 encode 60 ms'
export const DOWNLINK_OPS: DownlinkOp[] = ['repacketize 3×20 ms', 'transcode 3×20 ms c0', 'transcode 3×20 ms c5', 'mp3 encode 60 ms']

const GROUPS = 2000
const TRANSCODES = 300
const MP3_CHUNKS = 60
const TOY_RATE: OpusRate = 24000

function resampleAll(codec: Codec, pcm: Int16Array, from: number, to: number): Int16Array {
	const r = codec.createResampler(from, to)
	const out = new Int16Array(r.maxOutput(pcm.length))
	return out.subarray(0, r.process(pcm, out))
}

/** The speech as the speech API sends it: 48 kHz, 20 ms packets. */
export function speechApiPackets(codec: Codec, speech16: Int16Array): Uint8Array[] {
	const pcm = resampleAll(codec, speech16, 16000, 48000)
	const enc = codec.createEncoder(48000, 1, 'audio')
	const buf = new Uint8Array(1500)
	const out: Uint8Array[] = []
	for (let at = 0; at + 960 <= pcm.length; at += 960) out.push(buf.slice(0, enc.encode(pcm.subarray(at, at + 960), buf)))
	enc.free()
	// Whole groups of three, so every third push completes a packet.
	return out.slice(0, out.length - (out.length % 3))
}

async function medianMicrosAsync(iterations: number, run: (n: number) => Promise<void>, runs = 7): Promise<number> {
	await run(iterations)
	const times: number[] = []
	for (let i = 0; i < runs; i++) {
		const t = Bun.nanoseconds()
		await run(iterations)
		times.push((Bun.nanoseconds() - t) / 1000 / iterations)
	}
	times.sort((a, b) => a - b)
	return times[Math.floor(runs / 2)]
}

/** µs per 60 ms of answer for each downlink path on `codec`. */
export async function downlinkOps(codec: Codec, packets20: Uint8Array[], speech16: Int16Array): Promise<Partial<Record<DownlinkOp, number>>> {
	const f: Partial<Record<DownlinkOp, number>> = {}
	const rp = codec.createRepacketizer(2880)
	const joined = new Uint8Array(8192)
	let i = 0
	f['repacketize 3×20 ms'] = medianMicros(GROUPS, (n) => {
		for (let k = 0; k < n; k++) {
			rp.push(packets20[i++ % packets20.length], joined)
			rp.push(packets20[i++ % packets20.length], joined)
			// the joined packet is copied out, as the downlink does
			joined.slice(0, rp.push(packets20[i++ % packets20.length], joined))
		}
	})

	for (const c of [0, 5] as const) {
		const dec = codec.createDecoder(TOY_RATE)
		const enc = codec.createEncoder(TOY_RATE, 1, 'voip')
		enc.setBitrate(24_000)
		enc.setComplexity(c)
		const frame = new Int16Array(1440)
		const part = new Int16Array(1440)
		const packet = new Uint8Array(1500)
		let j = 0
		f[`transcode 3×20 ms c${c}`] = medianMicros(TRANSCODES, (n) => {
			for (let k = 0; k < n; k++) {
				for (let s = 0; s < 3; s++) frame.set(part.subarray(0, dec.decode(packets20[j++ % packets20.length], part)), s * 480)
				enc.encode(frame, packet)
			}
		})
		dec.free()
		enc.free()
	}

	const mp3 = codec.createMp3Encoder(22050, 32)
	const pcm22 = resampleAll(codec, speech16, 16000, 22050)
	const chunk = 4 * 1323
	let m = 0
	const per240 = await medianMicrosAsync(MP3_CHUNKS, async (n) => {
		for (let k = 0; k < n; k++) {
			const at = (m++ * chunk) % (pcm22.length - chunk)
			await mp3.encode(pcm22.subarray(at, at + chunk), 0)
		}
	})
	f['mp3 encode 60 ms'] = per240 / 4
	mp3.free()
	return f
}
