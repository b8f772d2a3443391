import { createRequire } from 'node:module'
import { CodecError, CodecFreedError, type OpusApplication, type OpusBandwidth, type OpusDecoder, type OpusEncoder, type OpusRate } from './types'

// libopus compiled to WASM (the opusscript package) behind the same interface as the native codec;
// it exists so the gateway runs without the Rust build, and as the benchmark baseline.
//
// ! opusscript's own JS class is not used. Its C side takes PCM as one byte per 16-bit slot (each
// PCM byte widened to a uint16), and its JS side takes views with `HEAPU16.subarray(ptr, …)`,
// which counts in elements: the PCM buffers sit at twice the address malloc returned, over
// twice the bytes it reserved. Every instance then writes PCM over other allocations in the one
// heap (other toys' codec state, malloc's bookkeeping: free() then traps with "out
// of bounds memory access"). Here the same WASM handler gets buffers of the size its layout
// needs, allocated once and shared: only the JS thread ever uses this heap.

interface Handler {
	_encode(pcmPtr: number, pcmBytes: number, packetPtr: number, frameSize: number): number
	_decode(packetPtr: number, packetBytes: number, pcmPtr: number): number
	_encoder_ctl(ctl: number, arg: number): number
	_decoder_ctl(ctl: number, arg: number): number
}

interface WasmOpus {
	HEAPU8: Uint8Array
	HEAP16: Int16Array
	_malloc(bytes: number): number
	_free(ptr: number): void
	OpusScriptHandler: {
		new (rate: number, channels: number, application: number): Handler
		destroy_handler(handler: Handler): void
	}
}

const APPLICATION: Record<OpusApplication, number> = { voip: 2048, audio: 2049, lowdelay: 2051 }
const OPUS_SET_BITRATE = 4002
const OPUS_SET_COMPLEXITY = 4010
const OPUS_RESET_STATE = 4028
const OPUS_SET_MAX_BANDWIDTH = 4004
const OPUS_BANDWIDTH: Record<OpusBandwidth, number> = { 4000: 1101, 6000: 1102, 8000: 1103, 12000: 1104, 20000: 1105 }
const ERRORS: Record<number, string> = {
	[-1]: 'bad argument',
	[-2]: 'buffer too small',
	[-3]: 'internal error',
	[-4]: 'invalid packet',
	[-5]: 'unimplemented',
	[-6]: 'invalid state',
	[-7]: 'memory allocation failed',
}
// 120 ms at 48 kHz is the longest frame: 5760 samples, 11520 bytes, each byte in a 16-bit slot.
const MAX_SAMPLES = 5760
const PCM_SLOTS_BYTES = MAX_SAMPLES * 4
// A packet is at most 3 × 1276 bytes.
const PACKET_BYTES = 4096

let wasm: { m: WasmOpus; pcm: number; packet: number } | undefined

function opus() {
	if (wasm) return wasm
	const m = createRequire(import.meta.url)('opusscript/build/opusscript_native_wasm.js')() as WasmOpus
	wasm = { m, pcm: m._malloc(PCM_SLOTS_BYTES), packet: m._malloc(PACKET_BYTES) }
	return wasm
}

/**
 * The shared PCM buffer in the handler's layout: sample j is [2j] (low byte) and [2j+1] (high).
 * One view per heap, not one per frame: it is remade only when the heap grows (a new buffer).
 */
let slotView: Uint16Array | undefined
function pcmSlots(w: { m: WasmOpus; pcm: number }): Uint16Array {
	if (slotView?.buffer !== w.m.HEAPU8.buffer) slotView = new Uint16Array(w.m.HEAPU8.buffer, w.pcm, PCM_SLOTS_BYTES / 2)
	return slotView
}

function opusError(what: string, code: number): CodecError {
	return new CodecError(`${what}: ${ERRORS[code] ?? `libopus error ${code}`}`)
}

/** One opusscript handler (it holds both an encoder and a decoder; we use one side). */
class WasmCodec {
	private readonly live: Handler
	private freed = false

	constructor(rate: OpusRate, application: OpusApplication) {
		try {
			this.live = new (opus().m.OpusScriptHandler)(rate, 1, APPLICATION[application])
		} catch (e) {
			// The heap grows on demand; this is how running out of memory looks.
			throw new CodecError(`cannot create an Opus codec in the WASM heap: ${(e as Error).message}`)
		}
	}

	/** The handler; after free() a CodecFreedError, never a call into memory that was released. */
	protected get handler(): Handler {
		if (this.freed) throw new CodecFreedError(`this ${this.constructor.name} was freed; make a new one`)
		return this.live
	}

	free(): void {
		if (this.freed) return
		this.freed = true
		opus().m.OpusScriptHandler.destroy_handler(this.live)
	}
}

export class FallbackOpusDecoder extends WasmCodec implements OpusDecoder {
	constructor(rate: OpusRate, _channels: 1) {
		super(rate, 'voip')
	}

	decode(packet: Uint8Array | null, out: Int16Array): number {
		const handler = this.handler
		const w = opus()
		const { m, pcm, packet: at } = w
		const bytes = packet?.byteLength ?? 0
		if (bytes > PACKET_BYTES) throw new CodecError(`corrupt Opus packet: ${bytes} bytes is longer than any packet`)
		// A zero-length packet asks libopus for concealment.
		if (packet) m.HEAPU8.set(packet, at)
		const n = handler._decode(at, bytes, pcm)
		if (n < 0) throw opusError('corrupt Opus packet', n)
		const samples = Math.min(out.length, n)
		const s = pcmSlots(w)
		for (let j = 0; j < samples; j++) out[j] = s[2 * j] | (s[2 * j + 1] << 8)
		return samples
	}

	reset(): void {
		this.handler._decoder_ctl(OPUS_RESET_STATE, 0)
	}
}

export class FallbackOpusEncoder extends WasmCodec implements OpusEncoder {
	constructor(rate: OpusRate, _channels: 1, application: OpusApplication) {
		super(rate, application)
	}

	encode(pcm: Int16Array, out: Uint8Array): number {
		const handler = this.handler
		const w = opus()
		const { m, pcm: at, packet } = w
		if (pcm.length > MAX_SAMPLES) throw new CodecError(`Opus encode failed: ${pcm.length} samples is longer than any frame`)
		const s = pcmSlots(w)
		for (let j = 0; j < pcm.length; j++) {
			s[2 * j] = pcm[j] & 0xff
			s[2 * j + 1] = (pcm[j] >> 8) & 0xff
		}
		const n = handler._encode(at, pcm.byteLength, packet, pcm.length)
		if (n < 0) throw opusError(`Opus encode failed (${pcm.length} samples)`, n)
		if (n > out.length) throw new CodecError(`output buffer too small: ${n} > ${out.length}`)
		out.set(m.HEAPU8.subarray(packet, packet + n))
		return n
	}

	// No threads in WASM here: the frames are encoded on the JS thread.
	async encodeFrames(pcm: Int16Array, frameSamples: number, _dueMs: number): Promise<Uint8Array[]> {
		const out: Uint8Array[] = []
		const packet = new Uint8Array(1500)
		for (let at = 0; at + frameSamples <= pcm.length; at += frameSamples) {
			out.push(packet.slice(0, this.encode(pcm.subarray(at, at + frameSamples), packet)))
		}
		return out
	}

	setBitrate(bitsPerSecond: number): void {
		this.ctl(OPUS_SET_BITRATE, bitsPerSecond, 'bitrate')
	}

	setComplexity(complexity: number): void {
		this.ctl(OPUS_SET_COMPLEXITY, complexity, 'complexity')
	}

	setMaxBandwidth(hz: OpusBandwidth): void {
		this.ctl(OPUS_SET_MAX_BANDWIDTH, OPUS_BANDWIDTH[hz], 'bandwidth')
	}

	reset(): void {
		this.handler._encoder_ctl(OPUS_RESET_STATE, 0)
	}

	private ctl(ctl: number, value: number, name: string): void {
		const r = this.handler._encoder_ctl(ctl, value)
		if (r < 0) throw opusError(`Opus ${name} ${value} refused`, r)
	}
}
