// The codec surface the rest of the gateway sees. Two implementations sit behind it:
// the Rust module in native/ and opusscript + TypeScript. Only codec/ knows which runs.

export type CodecKind = 'native' | 'fallback'

export type OpusApplication = 'voip' | 'audio' | 'lowdelay'

/** Opus sample rates libopus accepts. */
export type OpusRate = 8000 | 12000 | 16000 | 24000 | 48000

export interface OpusDecoder {
	/**
	 * Decodes one packet into `out` (mono int16) and returns the samples written.
	 * `null` asks for packet-loss concealment of `out.length` samples.
	 * Throws CodecError on a corrupt packet; the decoder stays usable.
	 */
	decode(packet: Uint8Array | null, out: Int16Array): number
	reset(): void
}

export interface OpusEncoder {
	/** Encodes exactly one frame (`pcm.length` must be a legal Opus frame size) into `out`; returns bytes written. */
	encode(pcm: Int16Array, out: Uint8Array): number
	setBitrate(bitsPerSecond: number): void
	setComplexity(complexity: number): void
	reset(): void
}

export type VerifiedToken = { kind: 'legacy' } | { kind: 'v2'; ts: number; nonce: string }

export interface TokenVerifier {
	/**
	 * Checks the token's form and HMAC for `deviceId` in constant time.
	 * Returns what was proven, or null. Freshness (ts window, nonce replay, legacy allowed)
	 * is policy and belongs to the caller.
	 */
	verify(deviceId: string, token: string): VerifiedToken | null
}

export interface Codec {
	readonly kind: CodecKind
	createDecoder(sampleRate: OpusRate, channels?: 1): OpusDecoder
	createEncoder(sampleRate: OpusRate, channels?: 1, application?: OpusApplication): OpusEncoder
	createTokenVerifier(secret: string): TokenVerifier
}

export class CodecError extends Error {
	readonly code = 'INVALID_AUDIO'
}
