// What an endpointed toy's microphone sends between utterances, and where in its stream the
// gateway's VAD ends a turn. Built once per run in the orchestrator with the gateway's own codec.

import { loadCodec } from '../../gateway/src/codec'
import { silkVoice, VOICE_ACTIVE } from '../../gateway/src/codec/opus-packets'
import type { Codec, CodecKind } from '../../gateway/src/codec/types'
import { Uplink } from '../../gateway/src/session/uplink'
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
export function vadEndFrames(kind: CodecKind, speech: Uint8Array[], silence: Uint8Array[], maxLead: number, tail = 50): VadEndTables {
	const codec = loadCodec(kind)
	const table = (gated: boolean) => Array.from({ length: maxLead + 1 }, (_, lead) => vadEndFrame(codec, speech, silence, lead, tail, gated))
	return { decoded: table(false), gated: table(true) }
}

/**
 * `decoded`: a toy's first turn on a connection, every packet decoded. `gated`: later turns,
 * once the gateway has seen that the toy's encoder sets voice flags, so its quiet packets before
 * the child speaks are read as silence (session/uplink.ts).
 */
export interface VadEndTables {
	decoded: Array<number | null>
	gated: Array<number | null>
}

// The session's ingest (Uplink, its gate and the VAD's fresh start after skipped packets).
function vadEndFrame(codec: Codec, speech: Uint8Array[], silence: Uint8Array[], lead: number, tail: number, gated: boolean): number | null {
	const uplink = new Uplink(codec, 60_000)
	uplink.begin('opus', RATE, true)
	const vad = codec.createVad(RATE)
	// An earlier turn showed the gateway this encoder's flags.
	if (gated) uplink.decodeOnly(speech.find((p) => silkVoice(p) === VOICE_ACTIVE) as Uint8Array)
	const stream = [...Array.from({ length: lead }, (_, i) => silence[i % silence.length]), ...speech, ...Array.from({ length: tail }, (_, i) => silence[i % silence.length])]
	let heard = false
	try {
		for (let i = 0; i < stream.length; i++) {
			uplink.gate = gated && !heard
			const pcm = uplink.decodeOnly(stream[i])
			if (uplink.takeResumed()) vad.reset()
			const e = vad.process(pcm)
			if (e === 1) heard = true
			else if (e === VAD_SPEECH_END && heard && i >= lead) return i - lead
		}
		return null
	} finally {
		uplink.free()
	}
}
