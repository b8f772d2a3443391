import { beforeAll, describe, expect, test } from 'bun:test'
import { loadPackets } from '../../bench/lib/packets'
import { silencePackets } from '../../bench/fleet/uplink-audio'
import { loadCodec, type OpusDecoder } from '../../gateway/src/codec'
import { silkVoice, VOICE_ACTIVE, VOICE_QUIET, VOICE_UNKNOWN } from '../../gateway/src/codec/opus-packets'
import { Uplink } from '../../gateway/src/session/uplink'

// Issue 17 (ingest cost): while the gateway waits for a child to start speaking, packets the
// toy's own encoder marked as without voice are read as digital silence instead of decoded
// (decode + VAD ~110 µs a frame; silence ~4 µs). These hold the gate to what it may skip.

const codec = loadCodec('native')
let speech: Uint8Array[] = []
let quietRoom: Uint8Array[] = []

beforeAll(async () => {
	speech = await loadPackets(`${import.meta.dir}/../../bench/assets/speech-16k.opuspackets`)
	// A quiet room (~-65 dBFS noise) encoded by libopus VOIP at 16 kHz, as a toy does.
	quietRoom = silencePackets('native')
})

/** An Uplink over a decoder that counts its decodes and resets. */
function countingUplink() {
	const count = { decodes: 0, resets: 0 }
	const counted = {
		...codec,
		createDecoder: (...args: Parameters<typeof codec.createDecoder>) => {
			const dec = codec.createDecoder(...args)
			const d: OpusDecoder = {
				decode: (p, out) => {
					count.decodes++
					return dec.decode(p, out)
				},
				reset: () => {
					count.resets++
					dec.reset()
				},
				free: () => dec.free(),
			}
			return d
		},
	}
	const uplink = new Uplink(counted, 30_000)
	uplink.begin('opus', 16000, true)
	return { uplink, count }
}

describe('the encoder voice flags of a SILK packet', () => {
	test('speech is active, a quiet room is quiet', () => {
		expect(quietRoom.every((p) => silkVoice(p) === VOICE_QUIET)).toBe(true)
		const active = speech.filter((p) => silkVoice(p) === VOICE_ACTIVE).length
		// The clip is mostly voiced, with a pause of about half a second in it.
		expect(active).toBeGreaterThan(speech.length * 0.7)
		expect(active).toBeLessThan(speech.length)
	})

	test('anything but a mono one-frame SILK packet is unknown', () => {
		const enc = codec.createEncoder(48000, 1, 'audio')
		const buf = new Uint8Array(1500)
		const music = new Int16Array(960 * 3).map((_, i) => Math.round(8000 * Math.sin(i / 3)))
		const celt = buf.slice(0, enc.encode(music, buf))
		enc.free()
		expect(celt[0]! >> 3).toBeGreaterThanOrEqual(12)
		expect(silkVoice(celt)).toBe(VOICE_UNKNOWN)
		const quiet = quietRoom[0]!
		expect(silkVoice(Uint8Array.of(quiet[0]! | 4, ...quiet.subarray(1)))).toBe(VOICE_UNKNOWN) // stereo
		expect(silkVoice(Uint8Array.of(quiet[0]! | 1, ...quiet.subarray(1)))).toBe(VOICE_UNKNOWN) // two frames
		expect(silkVoice(quiet.subarray(0, 1))).toBe(VOICE_UNKNOWN) // TOC only
	})
})

describe('the ingest gate', () => {
	test('quiet packets are silence, undecoded, once the encoder has shown it sets the flags', () => {
		const { uplink, count } = countingUplink()
		uplink.gate = true
		for (const p of speech.slice(0, 5)) uplink.decodeOnly(p)
		expect(count.decodes).toBe(5)
		for (const p of quietRoom) {
			const pcm = uplink.decodeOnly(p)
			expect(pcm.length).toBe(960)
			expect(pcm.every((s) => s === 0)).toBe(true)
		}
		expect(count.decodes).toBe(5)
		expect(uplink.quietPackets).toBe(quietRoom.length)
		// Speech again: the decoder starts afresh, and so must the VAD (takeResumed, once).
		expect(uplink.takeResumed()).toBe(false)
		uplink.decodeOnly(speech[0]!)
		expect(count.decodes).toBe(6)
		expect(count.resets).toBe(1)
		expect(uplink.takeResumed()).toBe(true)
		expect(uplink.takeResumed()).toBe(false)
		uplink.free()
	})

	test('an encoder never seen to set a flag is decoded in full', () => {
		const { uplink, count } = countingUplink()
		uplink.gate = true
		for (const p of quietRoom) uplink.decodeOnly(p)
		expect(count.decodes).toBe(quietRoom.length)
		expect(uplink.quietPackets).toBe(0)
		uplink.free()
	})

	test('inside a turn (gate off) every packet is decoded, pauses included', () => {
		const { uplink, count } = countingUplink()
		for (const p of speech) uplink.push(p)
		for (const p of quietRoom) uplink.push(p)
		expect(count.decodes).toBe(speech.length + quietRoom.length)
		expect(uplink.quietPackets).toBe(0)
		// The turn's length counts every packet either way.
		expect(uplink.durationMs).toBe((speech.length + quietRoom.length) * 60)
		uplink.free()
	})

	test('a gated turn keeps its length and its packets: silence stands in for the quiet ones', () => {
		const { uplink } = countingUplink()
		uplink.gate = true
		for (const p of speech.slice(0, 3)) uplink.push(p)
		for (const p of quietRoom) uplink.push(p)
		expect(uplink.durationMs).toBe((3 + quietRoom.length) * 60)
		const packets = uplink.takePackets()
		expect(packets.length).toBe(3 + quietRoom.length)
		const pcm = uplink.take()
		expect(pcm.length).toBe((3 + quietRoom.length) * 960)
		expect(pcm.subarray(3 * 960).every((s) => s === 0)).toBe(true)
		uplink.free()
	})
})

describe('a session behind the gate', () => {
	test('an auto toy waiting in a quiet room costs no decode, and its next sentence is heard and answered', async () => {
		const { recordingSession } = await import('../support/recording-session')
		const { FakeProvider } = await import('../../gateway/src/ai/fake')
		let decodes = 0
		const counted = {
			...codec,
			createDecoder: (...args: Parameters<typeof codec.createDecoder>) => {
				const dec = codec.createDecoder(...args)
				return { decode: (p: Uint8Array, out: Int16Array) => (decodes++, dec.decode(p, out)), reset: () => dec.reset(), free: () => dec.free() }
			},
		}
		const s = recordingSession(counted, new FakeProvider({ latencyMs: 10, answerMs: 300, speed: 8 }), 'gate-1', { id: 'c', name: 'Ada', age: 6 })
		const turn = async (lead: number) => {
			const before = s.calls.filter((c) => c === 'stop').length
			s.session.beginListening('opus', 16000, { endpointing: true })
			for (let i = 0; i < lead; i++) s.session.pushAudio(quietRoom[i % quietRoom.length]!)
			const atSpeech = decodes
			for (const p of speech) s.session.pushAudio(p)
			for (let i = 0; i < 40 && s.session.state === 'listening'; i++) s.session.pushAudio(quietRoom[i % quietRoom.length]!)
			const deadline = Date.now() + 10_000
			while (s.calls.filter((c) => c === 'stop').length === before && Date.now() < deadline) await Bun.sleep(10)
			return atSpeech
		}
		// The first turn teaches the gateway that this toy's encoder sets the flags.
		await turn(20)
		const before = decodes
		const atSpeech = await turn(100)
		// 100 quiet frames before the child spoke: none decoded.
		expect(atSpeech - before).toBe(0)
		expect(s.calls.filter((c) => c === 'start').length).toBe(2)
		expect(s.calls.filter((c) => c === 'stop').length).toBe(2)
		s.session.close()
	})
})
