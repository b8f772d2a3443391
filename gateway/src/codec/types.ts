// The codec surface the rest of the gateway sees. Two implementations sit behind it:
// the Rust module in native/ and opusscript + TypeScript. Only codec/ knows which runs.

export type CodecKind = 'native' | 'fallback'

export type OpusApplication = 'voip' | 'audio' | 'lowdelay'

/** Opus sample rates libopus accepts. */
export type OpusRate = 8000 | 12000 | 16000 | 24000 | 48000

/** Audio bandwidths Opus codes, in Hz: narrow, medium, wide, super-wide and full band. */
export type OpusBandwidth = 4000 | 6000 | 8000 | 12000 | 20000

export interface OpusDecoder {
	/**
	 * Decodes one packet into `out` (mono int16) and returns the samples written.
	 * `null` asks for packet-loss concealment of `out.length` samples.
	 * Throws CodecError on a corrupt packet; the decoder stays usable.
	 */
	decode(packet: Uint8Array | null, out: Int16Array): number
	reset(): void
	/**
	 * Releases the codec state now: the fallback's WebAssembly heap is fixed-size, and a native
	 * state (~44 KB an encoder) should not wait for the GC's finalizer. Every later call but free()
	 * throws CodecFreedError; freeing twice is a no-op.
	 */
	free(): void
}

export interface OpusEncoder {
	/** Encodes exactly one frame (`pcm.length` must be a legal Opus frame size) into `out`; returns bytes written. */
	encode(pcm: Int16Array, out: Uint8Array): number
	/**
	 * Encodes `pcm` as consecutive frames of `frameSamples` (its length a multiple of it), one
	 * packet each. The native codec does this off the JS thread, so an answer's encode does not
	 * hold up other toys' frames, earliest `dueMs` (how soon the first packet is needed) first;
	 * `pcm` is copied before this returns. Resolves with no packets when `reset()` ran before the
	 * work started (the answer was interrupted).
	 */
	encodeFrames(pcm: Int16Array, frameSamples: number, dueMs: number): Promise<Uint8Array[]>
	setBitrate(bitsPerSecond: number): void
	setComplexity(complexity: number): void
	/**
	 * Caps the audio band the encoder codes (Hz of audio bandwidth; 20000 is no cap). Below 12 kHz
	 * Opus codes speech with SILK alone, which costs a fraction of its hybrid mode (codec.md).
	 */
	setMaxBandwidth(hz: OpusBandwidth): void
	reset(): void
	/** Releases the codec state now (see OpusDecoder.free). */
	free(): void
}

/** OpusRepacketizer.push: the packet cannot join the group (nothing consumed). */
export const REPACKET_REFUSED = -1

/**
 * Joins consecutive Opus packets of one TOC configuration into packets of a target length,
 * without decoding (RFC 6716 §3.2): the speech API's 20 ms frames into a toy's 60 ms packets.
 * Padding is dropped. Both codecs give the same bytes.
 */
export interface OpusRepacketizer {
	readonly targetSamples48k: number
	/** 48 kHz samples waiting in the group. */
	readonly pendingSamples48k: number
	/**
	 * Adds `packet`: 0 while the group is short of the target; the byte length of the joined
	 * packet written to `out` when this completes it; REPACKET_REFUSED when it cannot join (another
	 * configuration, a frame length that does not divide the target, too long for what is left, or
	 * more than `out` could hold). Throws CodecError on a packet libopus cannot parse.
	 */
	push(packet: Uint8Array, out: Uint8Array): number
	/** Completes a partial group with empty (DTX) frames, written to `out`; 0 when none is pending. */
	pad(out: Uint8Array): number
	reset(): void
}

/**
 * One toy's MP3 answers, mono CBR. Each answer is its own MP3 stream: the first encode after
 * flush() or reset() starts a new one. Await each call before making the next.
 */
export interface Mp3Encoder {
	readonly sampleRate: number
	/** Samples per MP3 frame: 576 below 32 kHz (one MPEG-2 granule), else 1152. */
	readonly frameSamples: number
	/**
	 * Encodes mono samples (copied before this returns); resolves with the MP3 bytes completed so
	 * far, which may end inside a frame. Off the JS thread on native, `dueMs` (how soon the bytes
	 * are needed) first. Resolves empty when reset() ran before the work started.
	 */
	encode(pcm: Int16Array, dueMs: number): Promise<Uint8Array>
	/** Ends the stream: the last bytes, the last frame padded. */
	flush(dueMs: number): Promise<Uint8Array>
	/** Drops the stream now (barge-in): work not yet done resolves empty. */
	reset(): void
	free(): void
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

/** Streaming mono int16 resampler writing into caller-provided buffers (no allocation per call). */
export interface Resampler {
	/** Resamples `input` into `output`; returns samples written. Throws CodecError, consuming nothing, if `output` is shorter than `maxOutput(input.length)`. */
	process(input: Int16Array, output: Int16Array): number
	/** Writes the filter's tail (size `output` with `maxFlush()`) and resets for a new stream. */
	flush(output: Int16Array): number
	reset(): void
	/** Output samples the next `process` of `inputLen` samples may write, at most. */
	maxOutput(inputLen: number): number
	/** Output samples `flush` may write now, at most. */
	maxFlush(): number
}

export interface VadOptions {
	/** Speech needed before a turn starts (default 90). */
	startMs?: number
	/** Pause that ends a turn when the child sounds finished: pitch fell or rose (default 300 with Silero, 400 with the energy classifier). */
	hangoverMs?: number
	/** Pause that ends a turn when the child sounds mid-sentence: level pitch (default 1600, at least hangoverMs). */
	holdMs?: number
	/** Audio before the detected onset that belongs to the turn (default 300). */
	prerollMs?: number
	/**
	 * Frame classifier: 'silero' (native default: Silero VAD in the Rust core) or 'energy' (the
	 * fallback's only one: energy, crossings and band share). The endpointer is the same.
	 */
	classifier?: 'silero' | 'energy'
}

/** 0: nothing happened, 1: speech started, 2: speech ended. */
export type VadEvent = 0 | 1 | 2

/** Speech detector with endpointing for one mono stream; takes frames of any length (10 ms steps inside). */
export interface Vad {
	/** Analyses one frame; returns at most one event (a second one in the same frame comes with the next call). */
	process(frame: Int16Array): VadEvent
	/** Mean speech probability (0..1) over the last frame. */
	readonly probability: number
	/**
	 * After a start: how many ms of audio, counting back from the end of the frames processed so far,
	 * belong to the turn (onset plus pre-roll, capped at the stream's start). After an end: the
	 * turn's speech length in ms, without the hangover.
	 */
	readonly lastEventMs: number
	reset(): void
}

/**
 * Incremental Ogg Opus demuxer for one physical stream (chained streams are read in order).
 * Throws CodecError on input that is not clean Ogg Opus, and the same error on every call after.
 */
export interface OggDemuxer {
	/** Adds bytes as they arrive; returns the audio packets their pages completed (headers are consumed). */
	push(bytes: Uint8Array): Uint8Array[]
	/** Throws CodecError if the input stopped inside a page or packet, or before the headers were complete. */
	end(): void
	/** The input sample rate from OpusHead once it has arrived (0 = the writer did not say). */
	readonly sampleRate: number | null
}

export interface Codec {
	readonly kind: CodecKind
	/** Threads that run encodeFrames off the JS thread; 0 when it runs on the JS thread. */
	readonly encodeThreads: number
	createDecoder(sampleRate: OpusRate, channels?: 1): OpusDecoder
	createEncoder(sampleRate: OpusRate, channels?: 1, application?: OpusApplication): OpusEncoder
	createTokenVerifier(secret: string): TokenVerifier
	/** Throws CodecError on rates outside 1000..384000 Hz (8000, 16000, 22050, 24000, 48000 are the usual). */
	createResampler(inRate: number, outRate: number): Resampler
	/** `sampleRate` is 8000, 16000, 24000 or 48000; throws CodecError otherwise. */
	createVad(sampleRate: number, options?: VadOptions): Vad
	/**
	 * Muxes mono Opus packets, each lasting `frameSamples48k` samples at 48 kHz (2880 for 60 ms), into
	 * one Ogg Opus file with a random serial. `inputSampleRate` is only recorded in OpusHead for players.
	 * Throws CodecError on a duration outside 1..5760 or a rate that is not a u32.
	 */
	muxOggOpus(packets: readonly Uint8Array[], frameSamples48k: number, inputSampleRate: number): Uint8Array
	createOggDemuxer(): OggDemuxer
	/** `targetSamples48k` is a multiple of 120 (2.5 ms) up to 5760; throws CodecError otherwise. */
	createRepacketizer(targetSamples48k: number): OpusRepacketizer
	/** `sampleRate` an MP3 rate (8000..48000), `kbps` a Layer III bitrate for it; throws CodecError otherwise. */
	createMp3Encoder(sampleRate: number, kbps: number): Mp3Encoder
}

export class CodecError extends Error {
	readonly code = 'INVALID_AUDIO'
}

/** A call on an encoder or decoder whose free() ran: a bug in the caller, not bad audio. */
export class CodecFreedError extends Error {
	readonly code = 'CODEC_FREED'
}
