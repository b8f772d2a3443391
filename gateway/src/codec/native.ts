import { createRequire } from 'node:module'
import { checkMp3Args } from './fallback-mp3'
import { checkMuxArgs } from './ogg'
import {
	type Codec,
	CodecError,
	CodecFreedError,
	type Mp3Encoder,
	type OggDemuxer,
	type OpusBandwidth,
	type OpusDecoder,
	type OpusEncoder,
	type OpusRepacketizer,
	type Resampler,
	type TokenVerifier,
	type Vad,
	type VadEvent,
	type VadOptions,
	type VerifiedToken,
} from './types'

// The Rust module in native/ (built by `bun run build:native`) behind the Codec interface.
// ? The shape is declared here rather than imported from native/index.d.ts: that file is a
//   build output, and type-checking must not depend on whether the Rust build has run.

interface NativeDecoder {
	decode(packet: Uint8Array | null | undefined, out: Int16Array): number
	reset(): void
	free(): void
}

interface NativeEncoder {
	encode(pcm: Int16Array, out: Uint8Array): number
	encodeFrames(pcm: Int16Array, frameSamples: number, dueMs: number): Promise<{ data: Uint8Array; lengths: number[] }>
	setBitrate(bps: number): void
	setComplexity(complexity: number): void
	setMaxBandwidth(hz: number): void
	reset(): void
	free(): void
}

interface NativeVerified {
	kind: 'legacy' | 'v2'
	ts?: number
	nonce?: string
}

interface NativeResampler {
	process(input: Int16Array, output: Int16Array): number
	flush(output: Int16Array): number
	reset(): void
	maxOutput(inputLen: number): number
	maxFlush(): number
}

interface NativeVad {
	process(frame: Int16Array): number
	readonly probability: number
	readonly lastEventMs: number
	reset(): void
}

interface NativeOggDemuxer {
	push(bytes: Uint8Array): Uint8Array[]
	end(): void
	readonly sampleRate: number | null | undefined
}

interface NativeRepacketizer {
	push(packet: Uint8Array, out: Uint8Array): number
	pad(out: Uint8Array): number
	readonly pendingSamples48k: number
	reset(): void
}

interface NativeMp3Encoder {
	readonly frameSamples: number
	encode(pcm: Int16Array, dueMs: number): Promise<Uint8Array>
	flush(dueMs: number): Promise<Uint8Array>
	reset(): void
}

interface NativeModule {
	OpusDecoder: new (sampleRate: number, channels: number) => NativeDecoder
	OpusEncoder: new (sampleRate: number, channels: number, application: string) => NativeEncoder
	TokenVerifier: new (secret: string) => { verify(deviceId: string, token: string): NativeVerified | null }
	Resampler: new (inRate: number, outRate: number) => NativeResampler
	Vad: new (sampleRate: number, options?: VadOptions) => NativeVad
	muxOggOpus(packets: Uint8Array[], frameSamples48k: number, inputSampleRate: number): Uint8Array
	OggOpusDemuxer: new () => NativeOggDemuxer
	OpusRepacketizer: new (targetSamples48k: number) => NativeRepacketizer
	Mp3Encoder: new (sampleRate: number, kbps: number) => NativeMp3Encoder
	encodeThreads(): number
}

const MODULE_PATH = '../../../native/index.js'

let loadError: unknown = null

/** Why the last `loadNativeCodec()` returned null (for logs and the readiness check). */
export function nativeCodecLoadError(): unknown {
	return loadError
}

/** The native codec, or null when native/ is not built (the caller falls back to opusscript). */
export function loadNativeCodec(): Codec | null {
	let mod: NativeModule
	try {
		mod = createRequire(import.meta.url)(MODULE_PATH) as NativeModule
	} catch (e) {
		loadError = e
		return null
	}
	// ! A stale build from an older API would otherwise fail later, mid-session.
	for (const name of ['OpusDecoder', 'OpusEncoder', 'TokenVerifier', 'Resampler', 'Vad', 'muxOggOpus', 'OggOpusDemuxer', 'OpusRepacketizer', 'Mp3Encoder', 'encodeThreads'] as const) {
		if (typeof mod[name] !== 'function') {
			loadError = new Error(`native module lacks ${name}; rebuild it with \`bun run build:native\``)
			return null
		}
	}
	// ! An older build without free() would throw at every session's end.
	if (typeof mod.OpusEncoder.prototype.free !== 'function' || typeof mod.OpusDecoder.prototype.free !== 'function') {
		loadError = new Error('native module lacks OpusEncoder/OpusDecoder free(); rebuild it with `bun run build:native`')
		return null
	}
	loadError = null
	return {
		kind: 'native',
		encodeThreads: mod.encodeThreads(),
		createDecoder: (rate, channels = 1) => new NativeOpusDecoder(new mod.OpusDecoder(rate, channels)),
		createEncoder: (rate, channels = 1, application = 'voip') =>
			new NativeOpusEncoder(new mod.OpusEncoder(rate, channels, application)),
		createTokenVerifier: (secret) => new NativeTokenVerifier(new mod.TokenVerifier(secret)),
		createResampler: (inRate, outRate) => new NativeResamplerAdapter(construct(() => new mod.Resampler(inRate, outRate))),
		createVad: (sampleRate, options) => new NativeVadAdapter(construct(() => new mod.Vad(sampleRate, options))),
		muxOggOpus: (packets, frameSamples48k, inputSampleRate) => {
			// ? Checked here too: napi would wrap a negative or fractional u32 instead of refusing it.
			checkMuxArgs(frameSamples48k, inputSampleRate)
			const file = construct(() => mod.muxOggOpus([...packets], frameSamples48k, inputSampleRate))
			// ! napi hands back a Buffer, whose slice() is a view: give callers a plain Uint8Array as the fallback does.
			return new Uint8Array(file.buffer, file.byteOffset, file.byteLength)
		},
		createOggDemuxer: () => new NativeOggDemuxerAdapter(new mod.OggOpusDemuxer()),
		createRepacketizer: (target) => {
			// ? Checked here too: napi would wrap a negative or fractional u32 instead of refusing it.
			if (!Number.isInteger(target) || target <= 0) throw new CodecError(`invalid Opus repacketizer target ${target}`)
			return new NativeRepacketizerAdapter(construct(() => new mod.OpusRepacketizer(target)), target)
		},
		createMp3Encoder: (sampleRate, kbps) => {
			checkMp3Args(sampleRate, kbps)
			return new NativeMp3EncoderAdapter(construct(() => new mod.Mp3Encoder(sampleRate, kbps)), sampleRate)
		},
	}
}

function construct<T>(make: () => T): T {
	try {
		return make()
	} catch (e) {
		throw toCodecError(e)
	}
}

// The native errors carry the core's message (what was wrong, what is accepted) and a napi
// `code` (`InvalidArg` for bad input, `GenericFailure` for libopus itself); both are kept. A call
// after free() says so first (native/binding/src/lib.rs `freed`).
function toCodecError(e: unknown): CodecError | CodecFreedError {
	const message = (e as Error)?.message ?? String(e)
	if (message.startsWith('FREED:')) return new CodecFreedError(message, { cause: e })
	return new CodecError(message, { cause: e })
}

/** Runs a call that throws only after free() (setters, reset). */
function guarded<T>(call: () => T): T {
	try {
		return call()
	} catch (e) {
		throw toCodecError(e)
	}
}

class NativeOpusDecoder implements OpusDecoder {
	constructor(private readonly native: NativeDecoder) {}

	decode(packet: Uint8Array | null, out: Int16Array): number {
		try {
			return this.native.decode(packet, out)
		} catch (e) {
			throw toCodecError(e)
		}
	}

	reset(): void {
		guarded(() => this.native.reset())
	}

	free(): void {
		this.native.free()
	}
}

class NativeOpusEncoder implements OpusEncoder {
	constructor(private readonly native: NativeEncoder) {}

	encode(pcm: Int16Array, out: Uint8Array): number {
		try {
			return this.native.encode(pcm, out)
		} catch (e) {
			// ? Same as the fallback encoder, so callers handle one error type for both codecs.
			throw toCodecError(e)
		}
	}

	async encodeFrames(pcm: Int16Array, frameSamples: number, dueMs: number): Promise<Uint8Array[]> {
		let encoded: { data: Uint8Array; lengths: number[] }
		try {
			encoded = await this.native.encodeFrames(pcm, frameSamples, dueMs)
		} catch (e) {
			throw toCodecError(e)
		}
		// Views of the one buffer the worker filled: no copy per packet.
		const out: Uint8Array[] = []
		let at = 0
		for (const n of encoded.lengths) {
			out.push(encoded.data.subarray(at, at + n))
			at += n
		}
		return out
	}

	setBitrate(bitsPerSecond: number): void {
		guarded(() => this.native.setBitrate(bitsPerSecond))
	}

	setComplexity(complexity: number): void {
		guarded(() => this.native.setComplexity(complexity))
	}

	setMaxBandwidth(hz: OpusBandwidth): void {
		guarded(() => this.native.setMaxBandwidth(hz))
	}

	reset(): void {
		guarded(() => this.native.reset())
	}

	free(): void {
		this.native.free()
	}
}

class NativeTokenVerifier implements TokenVerifier {
	constructor(private readonly native: InstanceType<NativeModule['TokenVerifier']>) {}

	verify(deviceId: string, token: string): VerifiedToken | null {
		const r = this.native.verify(deviceId, token)
		if (r === null || r === undefined) return null
		if (r.kind === 'legacy') return { kind: 'legacy' }
		if (r.kind === 'v2' && typeof r.ts === 'number' && typeof r.nonce === 'string') {
			return { kind: 'v2', ts: r.ts, nonce: r.nonce }
		}
		return null
	}
}

class NativeResamplerAdapter implements Resampler {
	constructor(private readonly native: NativeResampler) {}

	process(input: Int16Array, output: Int16Array): number {
		try {
			return this.native.process(input, output)
		} catch (e) {
			throw toCodecError(e)
		}
	}

	flush(output: Int16Array): number {
		try {
			return this.native.flush(output)
		} catch (e) {
			throw toCodecError(e)
		}
	}

	reset(): void {
		this.native.reset()
	}

	maxOutput(inputLen: number): number {
		return this.native.maxOutput(inputLen)
	}

	maxFlush(): number {
		return this.native.maxFlush()
	}
}

class NativeVadAdapter implements Vad {
	constructor(private readonly native: NativeVad) {}

	process(frame: Int16Array): VadEvent {
		return this.native.process(frame) as VadEvent
	}

	get probability(): number {
		return this.native.probability
	}

	get lastEventMs(): number {
		return this.native.lastEventMs
	}

	reset(): void {
		this.native.reset()
	}
}

class NativeOggDemuxerAdapter implements OggDemuxer {
	constructor(private readonly native: NativeOggDemuxer) {}

	push(bytes: Uint8Array): Uint8Array[] {
		try {
			return this.native.push(bytes)
		} catch (e) {
			throw toCodecError(e)
		}
	}

	end(): void {
		try {
			this.native.end()
		} catch (e) {
			throw toCodecError(e)
		}
	}

	get sampleRate(): number | null {
		return this.native.sampleRate ?? null
	}
}

class NativeRepacketizerAdapter implements OpusRepacketizer {
	constructor(
		private readonly native: NativeRepacketizer,
		readonly targetSamples48k: number,
	) {}

	get pendingSamples48k(): number {
		return this.native.pendingSamples48k
	}

	push(packet: Uint8Array, out: Uint8Array): number {
		try {
			return this.native.push(packet, out)
		} catch (e) {
			throw toCodecError(e)
		}
	}

	pad(out: Uint8Array): number {
		try {
			return this.native.pad(out)
		} catch (e) {
			throw toCodecError(e)
		}
	}

	reset(): void {
		this.native.reset()
	}
}

class NativeMp3EncoderAdapter implements Mp3Encoder {
	readonly frameSamples: number

	constructor(
		private readonly native: NativeMp3Encoder,
		readonly sampleRate: number,
	) {
		this.frameSamples = native.frameSamples
	}

	async encode(pcm: Int16Array, dueMs: number): Promise<Uint8Array> {
		try {
			return await this.native.encode(pcm, dueMs)
		} catch (e) {
			throw toCodecError(e)
		}
	}

	async flush(dueMs: number): Promise<Uint8Array> {
		try {
			return await this.native.flush(dueMs)
		} catch (e) {
			throw toCodecError(e)
		}
	}

	reset(): void {
		this.native.reset()
	}

	// The LAME state lives on the encode threads and is dropped with the stream or by the finalizer.
	free(): void {
		this.native.reset()
	}
}
