import type { Codec, OpusEncoder } from '../../gateway/src/codec'

/** A codec that counts what its Opus encoders are asked to do: frames encoded, encoders made. */
export function countingCodec(inner: Codec) {
	const count = { encoders: 0, frames: 0, decoders: 0 }
	const codec: Codec = {
		...inner,
		kind: inner.kind,
		encodeThreads: inner.encodeThreads,
		createDecoder: (...args) => {
			count.decoders++
			return inner.createDecoder(...args)
		},
		createEncoder: (...args) => {
			count.encoders++
			const enc = inner.createEncoder(...args)
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
				reset: () => enc.reset(),
				free: () => enc.free(),
			}
			return counted
		},
	}
	return { codec, count }
}
