import type { Codec, OpusDecoder, OpusEncoder } from '../../gateway/src/codec'

/**
 * A codec that counts what its Opus encoders are asked to do: frames encoded, encoders and
 * decoders made and freed (the real codec underneath does the work).
 */
export function countingCodec(inner: Codec) {
	const count = { encoders: 0, frames: 0, decoders: 0, encodersFreed: 0, decodersFreed: 0 }
	const codec: Codec = {
		...inner,
		kind: inner.kind,
		encodeThreads: inner.encodeThreads,
		createDecoder: (...args) => {
			count.decoders++
			const dec = inner.createDecoder(...args)
			let freed = false
			const counted: OpusDecoder = {
				decode: (packet, out) => dec.decode(packet, out),
				reset: () => dec.reset(),
				free: () => {
					if (!freed) count.decodersFreed++
					freed = true
					dec.free()
				},
			}
			return counted
		},
		createEncoder: (...args) => {
			count.encoders++
			const enc = inner.createEncoder(...args)
			let freed = false
			const counted: OpusEncoder = {
				encode: (pcm, out) => {
					count.frames++
					return enc.encode(pcm, out)
				},
				encodeFrames: (pcm, frameSamples, dueMs) => {
					count.frames += Math.floor(pcm.length / frameSamples)
					return enc.encodeFrames(pcm, frameSamples, dueMs)
				},
				setBitrate: (b) => enc.setBitrate(b),
				setComplexity: (c) => enc.setComplexity(c),
				setMaxBandwidth: (hz) => enc.setMaxBandwidth(hz),
				reset: () => enc.reset(),
				free: () => {
					if (!freed) count.encodersFreed++
					freed = true
					enc.free()
				},
			}
			return counted
		},
	}
	return { codec, count }
}
