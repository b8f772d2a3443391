import type { WasmMediaEncoder } from 'wasm-media-encoders'
import { CodecError, type Mp3Encoder } from './types'

// MP3 without the Rust build: LAME 3.100 compiled to WebAssembly (wasm-media-encoders), the same
// encoder native/ links, on the JS thread. Chosen over the pure-JS lamejs ports: in Bun it encodes
// 60 ms of 22.05 kHz speech about 7× faster than @breezystack/lamejs, and lamejs itself throws
// "MPEGMode is not defined". Setting a stream up costs milliseconds of JS time (LAME's
// init_params), so an encoder keeps its WebAssembly instance for the session and only a new
// answer's stream is set up per answer.

const RATES = new Set([8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000])
const KBPS_MPEG1 = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
const KBPS_MPEG2 = [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
const EMPTY = new Uint8Array(0)

type WasmMp3 = WasmMediaEncoder<'audio/mpeg'>
type Mp3Kbps = 8 | 16 | 24 | 32 | 40 | 48 | 64 | 80 | 96 | 112 | 128 | 160 | 192 | 224 | 256 | 320

/** Throws CodecError unless an MP3 stream can have this rate and bitrate (same tables as native). */
export function checkMp3Args(sampleRate: number, kbps: number): void {
	if (!RATES.has(sampleRate)) {
		throw new CodecError(`invalid MP3 sample rate ${sampleRate} Hz: use 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100 or 48000`)
	}
	const allowed = sampleRate >= 32000 ? KBPS_MPEG1 : KBPS_MPEG2
	if (!allowed.includes(kbps)) throw new CodecError(`invalid MP3 bitrate ${kbps} kbit/s at ${sampleRate} Hz: use one of ${allowed.join(', ')}`)
}

export class FallbackMp3Encoder implements Mp3Encoder {
	readonly frameSamples: number
	private wasm: Promise<WasmMp3> | undefined
	/** A stream is set up and not yet flushed. */
	private open = false
	private generation = 0
	private floats = new Float32Array(0)

	constructor(
		readonly sampleRate: number,
		private readonly kbps: number,
	) {
		checkMp3Args(sampleRate, kbps)
		this.frameSamples = sampleRate >= 32000 ? 1152 : 576
	}

	async encode(pcm: Int16Array, _dueMs: number): Promise<Uint8Array> {
		const gen = this.generation
		// ? Converted before the first await: the caller may reuse its buffer as soon as this returns.
		if (this.floats.length < pcm.length) this.floats = new Float32Array(Math.max(pcm.length, 4096))
		const floats = this.floats.subarray(0, pcm.length)
		for (let i = 0; i < pcm.length; i++) floats[i] = pcm[i] / 32768
		const enc = await this.instance()
		if (gen !== this.generation) return EMPTY
		if (!this.open) {
			enc.configure({ channels: 1, sampleRate: this.sampleRate, bitrate: this.kbps as Mp3Kbps })
			this.open = true
		}
		// A view of the WebAssembly memory: copied before the next call writes there.
		return run('encoding', () => enc.encode([floats]).slice())
	}

	async flush(_dueMs: number): Promise<Uint8Array> {
		const gen = this.generation
		if (!this.open) return EMPTY
		const enc = await this.instance()
		if (gen !== this.generation || !this.open) return EMPTY
		this.open = false
		return run('flushing', () => enc.finalize().slice())
	}

	reset(): void {
		this.generation++
		this.open = false
	}

	free(): void {
		this.reset()
		this.wasm = undefined
	}

	private instance(): Promise<WasmMp3> {
		// ? Loaded on first use, as opusscript is: the module carries its WebAssembly inline (~0.8 MB).
		this.wasm ??= import('wasm-media-encoders')
			.then((m) => m.createMp3Encoder())
			.catch((e: unknown) => {
				this.wasm = undefined
				throw new CodecError(`cannot create an MP3 encoder: ${(e as Error).message}`)
			})
		return this.wasm
	}
}

function run<T>(what: string, f: () => T): T {
	try {
		return f()
	} catch (e) {
		throw new CodecError(`MP3 ${what} failed: ${(e as Error).message}`)
	}
}
