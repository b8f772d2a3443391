// Binary frames of the xiaozhi-compatible protocol (PROTOCOL.md §4):
//   v1: the frame is one raw Opus packet
//   v2: 16-byte big-endian header: version u16 | type u16 (0 opus, 1 json) | reserved u32 | timestamp_ms u32 | payload_size u32
//   v3: 4-byte header: type u8 | reserved u8 | payload_size u16 (big-endian)
// Parsing returns views into the frame (no copy); a header that disagrees with the frame is an error.

export type ProtocolVersion = 1 | 2 | 3

export const FRAME_OPUS = 0
export const FRAME_JSON = 1

export interface ParsedFrame {
	type: typeof FRAME_OPUS | typeof FRAME_JSON
	payload: Uint8Array
	timestampMs: number
}

export class FrameError extends Error {}

const V2_HEADER = 16
const V3_HEADER = 4

export function parseFrame(version: ProtocolVersion, frame: Uint8Array): ParsedFrame {
	if (version === 1) return { type: FRAME_OPUS, payload: frame, timestampMs: 0 }
	const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
	if (version === 2) {
		if (frame.byteLength < V2_HEADER) throw new FrameError(`v2 frame shorter than its ${V2_HEADER}-byte header`)
		const v = view.getUint16(0)
		const type = view.getUint16(2)
		const size = view.getUint32(12)
		if (v !== 2) throw new FrameError(`v2 frame header says version ${v}`)
		if (type !== FRAME_OPUS && type !== FRAME_JSON) throw new FrameError(`unknown frame type ${type}`)
		if (size !== frame.byteLength - V2_HEADER) {
			throw new FrameError(`payload_size ${size} disagrees with the frame's ${frame.byteLength - V2_HEADER} payload bytes`)
		}
		return { type, payload: frame.subarray(V2_HEADER), timestampMs: view.getUint32(8) }
	}
	if (frame.byteLength < V3_HEADER) throw new FrameError(`v3 frame shorter than its ${V3_HEADER}-byte header`)
	const type = view.getUint8(0)
	const size = view.getUint16(2)
	if (type !== FRAME_OPUS && type !== FRAME_JSON) throw new FrameError(`unknown frame type ${type}`)
	if (size !== frame.byteLength - V3_HEADER) {
		throw new FrameError(`payload_size ${size} disagrees with the frame's ${frame.byteLength - V3_HEADER} payload bytes`)
	}
	return { type, payload: frame.subarray(V3_HEADER), timestampMs: 0 }
}

// One scratch frame for all sockets: send() copies synchronously, so the downlink frames cost
// no allocation per frame. Packets larger than this (never from our encoder) get their own.
const scratch = new Uint8Array(V2_HEADER + 4096)
const scratchView = new DataView(scratch.buffer)

/** Wraps one downlink Opus packet for the device's protocol version. The result is valid until the next call. */
export function opusFrame(version: ProtocolVersion, packet: Uint8Array, timestampMs = 0): Uint8Array {
	if (version === 1) return packet
	const big = packet.byteLength > scratch.length - V2_HEADER
	const out = big ? new Uint8Array(V2_HEADER + packet.byteLength) : scratch
	const view = big ? new DataView(out.buffer) : scratchView
	if (version === 2) {
		view.setUint32(4, 0)
		view.setUint16(0, 2)
		view.setUint16(2, FRAME_OPUS)
		view.setUint32(8, timestampMs >>> 0)
		view.setUint32(12, packet.byteLength)
		out.set(packet, V2_HEADER)
		return out.subarray(0, V2_HEADER + packet.byteLength)
	}
	out[0] = FRAME_OPUS
	out[1] = 0
	view.setUint16(2, packet.byteLength)
	out.set(packet, V3_HEADER)
	return out.subarray(0, V3_HEADER + packet.byteLength)
}
