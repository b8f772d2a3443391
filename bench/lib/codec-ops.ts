import type { Codec, OpusBandwidth } from '../../gateway/src/codec/types'
import { DOWNLINK_BAND_HZ, ENCODE_STEPS } from '../../gateway/src/session/downlink'
import { type CodecInput, MP3_RATE, TOY_RATE, UPLINK_RATE } from './codec-input'
import { makeV2Token } from './token'

// The per-frame work bench/codec.ts times, at the gateway's production settings, for one Codec.
// native/core/examples/codec_direct.rs does the same ops under the same names with the same
// settings, buffers and input; keep the two in step or native/direct stops being overhead alone.
//   - uplink: decode a toy's 16 kHz 60 ms packet (session/uplink.ts); VAD on the 60 ms frame as
//     the session runs it (codec.createVad(16000): Silero + pitch natively, the energy scorer in
//     the fallback); resample 16k→24k (the realtime API's uplink, openai-realtime-uplink.ts)
//   - downlink: encode a 24 kHz 60 ms frame at 24 kbit/s at each load step's complexity
//     (ENCODE_STEPS in session/downlink.ts) in the 8 kHz band the downlink codes, and c5 and c1
//     with no band cap (the steps before it) to show what the cap saves; resample 24k→16k
//     (provider PCM to a 16 kHz toy); join three of the speech API's 20 ms packets into a toy's 60 ms one (opus-relay.ts); MP3
//     for a seed toy (LAME 22.05 kHz 32 kbit/s, fed one 240 ms provider chunk at a time)
//   - token verify: the connect-time HMAC check (no direct counterpart)

export const DOWNLINK_BPS = 24_000
const MP3_KBPS = 32
const MP3_CHUNK = 4 * 1323 // 240 ms at 22.05 kHz

type EncodeOp = 'encode c5 wb' | 'encode c3 wb' | 'encode c1 wb' | 'encode c5 fb' | 'encode c1 fb'
interface EncodeSetting {
	complexity: number
	bandHz: OpusBandwidth
}
/** The settings behind each encode op: wb = the 8 kHz band the downlink codes, fb = no cap. */
const ENCODE_OPS: Record<EncodeOp, EncodeSetting> = {
	'encode c5 wb': { complexity: 5, bandHz: 8000 },
	'encode c3 wb': { complexity: 3, bandHz: 8000 },
	'encode c1 wb': { complexity: 1, bandHz: 8000 },
	'encode c5 fb': { complexity: 5, bandHz: 20000 },
	'encode c1 fb': { complexity: 1, bandHz: 20000 },
}
/** The encode ops of the downlink's load steps, lightest load first. */
export const LOAD_STEP_OPS: EncodeOp[] = ENCODE_STEPS.map((s) => {
	const name = `encode c${s.complexity} ${DOWNLINK_BAND_HZ === 8000 ? 'wb' : 'fb'}`
	// ! A step the ops do not time would leave the bench measuring settings the gateway no longer uses.
	if (!(name in ENCODE_OPS)) throw new Error(`codec bench: no op for the load step c${s.complexity} at ${DOWNLINK_BAND_HZ} Hz`)
	return name as EncodeOp
})

export type Op =
	| 'decode'
	| 'vad'
	| 'resample 16k→24k'
	| EncodeOp
	| 'resample 24k→16k'
	| 'repacketize 3×20 ms'
	| 'mp3 encode 240 ms'
	| 'token verify'

/** Iterations per timed run (before --scale); each run is preceded by a fifth as many untimed. */
export const ITERATIONS: Record<Op, number> = {
	decode: 2000,
	vad: 1000,
	'resample 16k→24k': 2000,
	'encode c5 wb': 300,
	'encode c3 wb': 300,
	'encode c1 wb': 300,
	'encode c5 fb': 300,
	'encode c1 fb': 300,
	'resample 24k→16k': 2000,
	'repacketize 3×20 ms': 2000,
	'mp3 encode 240 ms': 40,
	'token verify': 20000,
}
export const OPS = Object.keys(ITERATIONS) as Op[]
/** Ops codec_direct.rs also runs. */
export const DIRECT_OPS: Op[] = OPS.filter((op) => op !== 'token verify')

/**
 * FNV-1a (32 bit) over what an op produced, as codec_direct.rs computes it: equal digests from the
 * native and direct paths on fresh state show they do the same work with the same settings.
 */
export class Digest {
	hash = 0x811c9dc5

	bytes(b: Uint8Array): void {
		let h = this.hash
		for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 16777619) >>> 0
		this.hash = h
	}

	pcm(s: Int16Array): void {
		this.bytes(new Uint8Array(s.buffer, s.byteOffset, s.byteLength))
	}
}

/**
 * `run(n, digest?)` does n iterations; state (codec objects, input position) lives across calls.
 * Outputs are hashed into `digest` when one is given (one branch per output while timing).
 */
export type OpRun = (n: number, digest?: Digest) => void | Promise<void>

function encodeOp(codec: Codec, input: Int16Array[], { complexity, bandHz }: EncodeSetting): OpRun {
	const enc = codec.createEncoder(TOY_RATE, 1, 'voip')
	enc.setBitrate(DOWNLINK_BPS)
	enc.setComplexity(complexity)
	enc.setMaxBandwidth(bandHz as OpusBandwidth)
	const out = new Uint8Array(1500)
	let j = 0
	return (n, d) => {
		for (let k = 0; k < n; k++) {
			const len = enc.encode(input[j++ % input.length], out)
			if (d) d.bytes(out.subarray(0, len))
		}
	}
}

function resampleOp(codec: Codec, input: Int16Array[], from: number, to: number): OpRun {
	const r = codec.createResampler(from, to)
	// ? maxOutput depends on what is buffered, which changes per call: size for the worst case.
	const out = new Int16Array(2 * Math.ceil((to * 60) / 1000) + 64)
	let j = 0
	return (n, d) => {
		for (let k = 0; k < n; k++) {
			const len = r.process(input[j++ % input.length], out)
			if (d) d.pcm(out.subarray(0, len))
		}
	}
}

export function codecOps(codec: Codec, input: CodecInput): Record<Op, OpRun> {
	const dec = codec.createDecoder(UPLINK_RATE)
	const pcm = new Int16Array(960)
	let i = 0
	const vad = codec.createVad(UPLINK_RATE)
	let v = 0
	const rp = codec.createRepacketizer(2880)
	const joined = new Uint8Array(8192)
	let p = 0
	const mp3 = codec.createMp3Encoder(MP3_RATE, MP3_KBPS)
	let m = 0
	const secret = 'a'.repeat(64)
	const verifier = codec.createTokenVerifier(secret)
	const tokens = Array.from({ length: 64 }, (_, k) => makeV2Token(secret, `teddy-${k}`))
	let t = 0
	const { uplink, speech16, speech24, pcm22, answer20 } = input
	return {
		decode: (n, d) => {
			for (let k = 0; k < n; k++) {
				const len = dec.decode(uplink[i++ % uplink.length], pcm)
				if (d) d.pcm(pcm.subarray(0, len))
			}
		},
		vad: (n, d) => {
			for (let k = 0; k < n; k++) {
				const event = vad.process(speech16[v++ % speech16.length])
				if (d) {
					d.bytes(new Uint8Array([event]))
					// ? Probability to 1e-6 as i32 little-endian, as the Rust side hashes it.
					d.bytes(new Uint8Array(new Int32Array([Math.round(vad.probability * 1e6)]).buffer))
				}
			}
		},
		'resample 16k→24k': resampleOp(codec, speech16, UPLINK_RATE, TOY_RATE),
		...(Object.fromEntries(Object.entries(ENCODE_OPS).map(([op, s]) => [op, encodeOp(codec, speech24, s)])) as Record<EncodeOp, OpRun>),
		'resample 24k→16k': resampleOp(codec, speech24, TOY_RATE, UPLINK_RATE),
		'repacketize 3×20 ms': (n, d) => {
			for (let k = 0; k < 3 * n; k++) {
				const len = rp.push(answer20[p++ % answer20.length], joined)
				// the joined packet is copied out, as the downlink does
				if (len > 0) {
					const packet = joined.slice(0, len)
					if (d) d.bytes(packet)
				}
			}
		},
		// ? Natively an awaited hop to an encode thread and back: its wall time, not LAME's alone.
		'mp3 encode 240 ms': async (n, d) => {
			for (let k = 0; k < n; k++) {
				const at = (m++ * MP3_CHUNK) % (pcm22.length - MP3_CHUNK)
				const bytes = await mp3.encode(pcm22.subarray(at, at + MP3_CHUNK), 0)
				if (d) d.bytes(bytes)
			}
		},
		'token verify': (n) => {
			for (let k = 0; k < n; k++) {
				const id = t++ % tokens.length
				if (!verifier.verify(`teddy-${id}`, tokens[id])) throw new Error('token bench: a valid token was refused')
			}
		},
	}
}

/** µs per iteration of `iterations` timed after `warmup` untimed ones. */
export async function timeOp(run: OpRun, iterations: number, warmup: number): Promise<number> {
	await run(warmup)
	const t = Bun.nanoseconds()
	await run(iterations)
	return (Bun.nanoseconds() - t) / 1000 / iterations
}
