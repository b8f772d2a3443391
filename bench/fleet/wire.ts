// What a toy puts on the wire, built once per run and shared by every simulated toy: uplink
// frames for each binary protocol version (PROTOCOL.md §4) and seed-json audio_chunk payloads
// (§3), plus the URLs and headers of each handshake.

import { makeV2Token } from '../lib/token'
import type { ListenMode, ToyProtocol } from './types'

export const FRAME_MS = 60

/** Uplink Opus packets framed for binary protocol v1 (raw), v2 (16-byte header) or v3 (4-byte header). */
export function frameUplink(version: 1 | 2 | 3, payload: Uint8Array): Uint8Array {
	if (version === 1) return payload
	if (version === 2) {
		const out = new Uint8Array(16 + payload.length)
		const v = new DataView(out.buffer)
		v.setUint16(0, 2)
		v.setUint16(2, 0)
		v.setUint32(12, payload.length)
		out.set(payload, 16)
		return out
	}
	const out = new Uint8Array(4 + payload.length)
	new DataView(out.buffer).setUint16(2, payload.length)
	out.set(payload, 4)
	return out
}

/** Payload of a downlink binary frame; throws when its header disagrees with its length. */
export function downlinkPayloadBytes(version: 1 | 2 | 3, frame: Uint8Array): number {
	if (version === 1) return frame.length
	const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
	const size = version === 2 ? view.getUint32(12) : view.getUint16(2)
	const header = version === 2 ? 16 : 4
	if (size !== frame.length - header) throw new Error(`downlink v${version} frame: payload_size ${size} but ${frame.length - header} bytes`)
	return size
}

export interface UplinkAudio {
	/** Per protocol version, the framed packets. */
	binary: Record<1 | 2 | 3, Uint8Array[]>
	/** base64 of each packet for seed-json audio_chunk. */
	base64: string[]
	/** The microphone between utterances, framed per version (auto/realtime toys only; binary). */
	silence: Record<1 | 2 | 3, Uint8Array[]>
}

function framed(packetsBase64: readonly string[]): Record<1 | 2 | 3, Uint8Array[]> {
	const raw = packetsBase64.map((b) => new Uint8Array(Buffer.from(b, 'base64')))
	return { 1: raw, 2: raw.map((p) => frameUplink(2, p)), 3: raw.map((p) => frameUplink(3, p)) }
}

export function prepareUplink(packetsBase64: readonly string[], silenceBase64: readonly string[] = []): UplinkAudio {
	return { binary: framed(packetsBase64), base64: packetsBase64.slice(), silence: framed(silenceBase64) }
}

export function versionOf(protocol: ToyProtocol): 1 | 2 | 3 {
	return protocol === 'v1' ? 1 : protocol === 'v2' ? 2 : 3
}

/** URL and headers for one connection attempt; every attempt signs a fresh v2 token (nonces are single-use). */
export function handshakeRequest(base: string, secret: string, id: string, protocol: ToyProtocol): { url: string; headers?: Record<string, string> } {
	const token = makeV2Token(secret, id)
	const u = new URL(base)
	if (protocol === 'seed') {
		u.pathname = '/api/v1/esp32/private/chat'
		u.search = new URLSearchParams({ device_id: id, child_id: `child-${id}`, child_name: 'Fleet', child_age: '7', token }).toString()
		return { url: u.toString() }
	}
	u.pathname = '/xiaozhi/v1/'
	return {
		url: u.toString(),
		headers: { Authorization: `Bearer ${token}`, 'Protocol-Version': protocol.slice(1), 'Device-Id': id, 'Client-Id': `client-${id}` },
	}
}

/** The hello a toy of that binary protocol version sends: its `version` is the one it speaks. */
export function helloFor(version: 1 | 2 | 3): string {
	return JSON.stringify({
		type: 'hello',
		version,
		transport: 'websocket',
		features: {},
		audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: FRAME_MS },
	})
}
export const PING = '{"type":"ping"}'
export function listenStart(mode: ListenMode): string {
	return `{"type":"listen","state":"start","mode":"${mode}"}`
}
export const LISTEN_STOP = '{"type":"listen","state":"stop"}'
export const ABORT = '{"type":"abort","reason":"wake_word_detected"}'

export function seedAudioStart(sessionId: string): string {
	return JSON.stringify({ type: 'audio_start', audio_session_id: sessionId, format: 'opus', sample_rate: 16000, response_format: 'opus' })
}

export function seedAudioChunk(sessionId: string, chunkNo: number, base64: string): string {
	return `{"type":"audio_chunk","audio_data":"${base64}","chunk_id":"${sessionId.slice(0, 24)}${chunkNo.toString(16).padStart(12, '0')}","audio_session_id":"${sessionId}","is_final":false}`
}

export function seedAudioEnd(sessionId: string): string {
	return `{"type":"audio_end","audio_session_id":"${sessionId}"}`
}

/** The fake provider's stamp (gateway/src/ai/fake.ts): "fake t=<epoch ms> turn=<n>". */
export function providerStamp(text: unknown): number | null {
	if (typeof text !== 'string') return null
	const m = /^fake t=(\d+(?:\.\d+)?)/.exec(text)
	return m ? Number(m[1]) : null
}

export function epochNow(): number {
	return performance.timeOrigin + performance.now()
}
