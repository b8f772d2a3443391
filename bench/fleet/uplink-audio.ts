// What an endpointed toy's microphone sends between utterances, and where in its stream the
// gateway's VAD ends a turn. Built once per run in the orchestrator with the gateway's own codec.

import { loadCodec } from '../../gateway/src/codec'
import type { Codec, CodecKind } from '../../gateway/src/codec/types'
import { FRAME_MS } from './wire'

const RATE = 16000
const SAMPLES = (RATE * FRAME_MS) / 1000
/** Silence packets built (cycled by the toys): a second of distinct noise is enough. */
const SILENCE_PACKETS = 17
const VAD_SPEECH_END = 2

/**
 * A quiet room through a toy's microphone: low white noise (about -65 dBFS), seeded so every run
 * sends the same bytes. Not digital zero: Opus would shrink that to a few bytes no real toy sends.
 */
export function silencePackets(kind: CodecKind): Uint8Array[] {
	const codec = loadCodec(kind)
	const enc = codec.createEncoder(RATE, 1, 'voip')
	const buf = new Uint8Array(1500)
	let seed = 12345
	const noise = () => {
		seed = (seed * 1103515245 + 12345) & 0x7fffffff
		return seed / 0x7fffffff - 0.5
	}
	const out: Uint8Array[] = []
	for (let i = 0; i < SILENCE_PACKETS; i++) {
		const pcm = new Int16Array(SAMPLES)
		for (let j = 0; j < SAMPLES; j++) pcm[j] = Math.round(noise() * 40)
		out.push(buf.slice(0, enc.encode(pcm, buf)))
	}
	enc.free()
	return out
}

/**
 * Index, counted from the first speech packet, of the frame on which the gateway's VAD (same codec,
 * same defaults) ends the turn when the toy streams `lead` frames of silence, then the speech, then
 * silence; null if it never does within `tail` frames. ? It depends on the lead (the VAD's noise
 * floor and state settle on it), hence one answer per lead.
 */
export function vadEndFrames(kind: CodecKind, speech: Uint8Array[], silence: Uint8Array[], maxLead: number, tail = 50): Array<number | null> {
	const codec = loadCodec(kind)
	return Array.from({ length: maxLead + 1 }, (_, lead) => vadEndFrame(codec, speech, silence, lead, tail))
}

function vadEndFrame(codec: Codec, speech: Uint8Array[], silence: Uint8Array[], lead: number, tail: number): number | null {
	const dec = codec.createDecoder(RATE)
	const vad = codec.createVad(RATE)
	const pcm = new Int16Array(SAMPLES * 2)
	const stream = [...Array.from({ length: lead }, (_, i) => silence[i % silence.length]), ...speech, ...Array.from({ length: tail }, (_, i) => silence[i % silence.length])]
	let heard = false
	try {
		for (let i = 0; i < stream.length; i++) {
			const n = dec.decode(stream[i], pcm)
			const e = vad.process(pcm.subarray(0, n))
			if (e === 1) heard = true
			else if (e === VAD_SPEECH_END && heard && i >= lead) return i - lead
		}
		return null
	} finally {
		dec.free()
	}
}
