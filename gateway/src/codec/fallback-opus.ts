import OpusScript from 'opusscript'
import { CodecError, type OpusApplication, type OpusDecoder, type OpusEncoder, type OpusRate } from './types'

// opusscript (libopus compiled to WASM) behind the same interface as the native codec.
// It copies through its own heap and returns fresh Buffers, so this path allocates per frame;
// it exists so the gateway runs without the Rust build, and as the benchmark baseline.

const APPLICATION: Record<OpusApplication, number> = {
	voip: OpusScript.Application.VOIP,
	audio: OpusScript.Application.AUDIO,
	lowdelay: OpusScript.Application.RESTRICTED_LOWDELAY,
}

const OPUS_SET_COMPLEXITY = 4010
const OPUS_RESET_STATE = 4028

// A zero-length packet asks libopus for concealment of its maximum frame (120 ms).
const EMPTY = Buffer.alloc(0)

export class FallbackOpusDecoder implements OpusDecoder {
	private readonly opus: OpusScript

	constructor(rate: OpusRate, channels: 1) {
		this.opus = new OpusScript(rate, channels)
	}

	decode(packet: Uint8Array | null, out: Int16Array): number {
		let pcm: Buffer
		try {
			pcm = this.opus.decode(packet ? Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength) : EMPTY)
		} catch (e) {
			throw new CodecError(`corrupt Opus packet: ${(e as Error).message}`)
		}
		const samples = Math.min(out.length, pcm.length >> 1)
		out.set(new Int16Array(pcm.buffer, pcm.byteOffset, samples))
		return samples
	}

	reset(): void {
		this.opus.decoderCTL(OPUS_RESET_STATE, 0)
	}

	free(): void {
		if (this.freed) return
		this.freed = true
		this.opus.delete()
	}

	private freed = false
}

export class FallbackOpusEncoder implements OpusEncoder {
	private readonly opus: OpusScript

	constructor(rate: OpusRate, channels: 1, application: OpusApplication) {
		this.opus = new OpusScript(rate, channels, APPLICATION[application])
	}

	encode(pcm: Int16Array, out: Uint8Array): number {
		let packet: Buffer
		try {
			packet = this.opus.encode(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength), pcm.length)
		} catch (e) {
			throw new CodecError(`Opus encode failed: ${(e as Error).message}`)
		}
		if (packet.length > out.length) throw new CodecError(`output buffer too small: ${packet.length} > ${out.length}`)
		out.set(packet)
		return packet.length
	}

	// opusscript has no threads: the frames are encoded here, on the JS thread.
	async encodeFrames(pcm: Int16Array, frameSamples: number): Promise<Uint8Array[]> {
		const out: Uint8Array[] = []
		const packet = new Uint8Array(1500)
		for (let at = 0; at + frameSamples <= pcm.length; at += frameSamples) {
			out.push(packet.slice(0, this.encode(pcm.subarray(at, at + frameSamples), packet)))
		}
		return out
	}

	setBitrate(bitsPerSecond: number): void {
		this.opus.setBitrate(bitsPerSecond)
	}

	setComplexity(complexity: number): void {
		this.opus.encoderCTL(OPUS_SET_COMPLEXITY, complexity)
	}

	reset(): void {
		this.opus.encoderCTL(OPUS_RESET_STATE, 0)
	}

	free(): void {
		if (this.freed) return
		this.freed = true
		this.opus.delete()
	}

	private freed = false
}
