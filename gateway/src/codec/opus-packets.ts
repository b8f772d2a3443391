// Reading an Opus packet's duration from its TOC byte (RFC 6716 §3.1): Ogg Opus from a provider
// passes to the toy as it is when its frames already last what the toy's frames last, and a toy's
// packets are checked and timed without decoding them when nothing needs their audio.

// Frame length in 48 kHz samples for each of the 32 configs: SILK 10/20/40/60 ms, hybrid 10/20,
// CELT 2.5/5/10/20.
const FRAME_48K = [
	480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 480, 960, 120, 240, 480, 960, 120, 240, 480,
	960, 120, 240, 480, 960, 120, 240, 480, 960,
]

/** A packet lasts at most 120 ms (RFC 6716 §3.2.5, R5). */
const MAX_48K = 5760

/** Samples at 48 kHz one packet decodes to; 0 for an empty or malformed packet. */
export function packetSamples48k(packet: Uint8Array): number {
	if (packet.length === 0) return 0
	const toc = packet[0]
	const frame = FRAME_48K[toc >> 3]
	const code = toc & 3
	if (code === 0) return frame
	// Code 1: two frames of equal size, so what follows the TOC byte splits evenly (R3).
	if (code === 1) return (packet.length - 1) % 2 === 0 ? 2 * frame : 0
	if (code === 2) return packet.length >= 2 ? 2 * frame : 0
	if (packet.length < 2) return 0
	const total = (packet[1] & 0x3f) * frame
	return total <= MAX_48K ? total : 0
}

/** Packet duration in ms (2.5 ms steps are possible for CELT). */
export function packetMs(packet: Uint8Array): number {
	return packetSamples48k(packet) / 48
}

/** What a packet's encoder said of voice activity (silkVoice). */
export const VOICE_UNKNOWN = 0
export const VOICE_ACTIVE = 1
export const VOICE_QUIET = 2

/**
 * The encoder's own voice-activity flags of a mono SILK-only packet with one Opus frame (what
 * xiaozhi firmware and any libopus VOIP encoder at 8–16 kHz send): one flag per 20 ms SILK frame,
 * coded first and equiprobable, so they are the top bits of the byte after the TOC (RFC 6716
 * §4.2.3; libopus reads them the same way in silk_get_TOC). VOICE_QUIET when every flag is off;
 * VOICE_UNKNOWN for anything else (CELT, hybrid, stereo, several frames, an empty packet).
 */
export function silkVoice(packet: Uint8Array): number {
	if (packet.length < 2) return VOICE_UNKNOWN
	const toc = packet[0]
	const config = toc >> 3
	// SILK-only configs are 0–11; toc bit 2 is stereo; the two low bits 0 mean one frame.
	if (config > 11 || (toc & 7) !== 0) return VOICE_UNKNOWN
	// 10 and 20 ms are one SILK frame, 40 ms two, 60 ms three.
	const frames = Math.max(1, config & 3)
	const flags = packet[1] >> (8 - frames)
	return flags === 0 ? VOICE_QUIET : VOICE_ACTIVE
}
