// Reading an Opus packet's duration from its TOC byte (RFC 6716 §3.1), so Ogg Opus from a provider
// can be passed to the toy as it is when its frames already last what the toy's frames last.

// Frame length in 48 kHz samples for each of the 32 configs: SILK 10/20/40/60 ms, hybrid 10/20,
// CELT 2.5/5/10/20.
const FRAME_48K = [
	480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 480, 960, 120, 240, 480, 960, 120, 240, 480,
	960, 120, 240, 480, 960, 120, 240, 480, 960,
]

/** Samples at 48 kHz one packet decodes to; 0 for an empty or malformed packet. */
export function packetSamples48k(packet: Uint8Array): number {
	if (packet.length === 0) return 0
	const toc = packet[0]
	const frame = FRAME_48K[toc >> 3]
	const code = toc & 3
	if (code === 0) return frame
	if (code === 1 || code === 2) return 2 * frame
	if (packet.length < 2) return 0
	return (packet[1] & 0x3f) * frame
}

/** Packet duration in ms (2.5 ms steps are possible for CELT). */
export function packetMs(packet: Uint8Array): number {
	return packetSamples48k(packet) / 48
}
