import { log } from '../obs/logger'
import { fallbackCodec } from './fallback'
import { loadNativeCodec } from './native'
import type { Codec, CodecKind } from './types'

export type {
	Codec,
	CodecKind,
	Mp3Encoder,
	OggDemuxer,
	OpusDecoder,
	OpusEncoder,
	OpusBandwidth,
	OpusRate,
	OpusRepacketizer,
	Resampler,
	TokenVerifier,
	Vad,
	VadEvent,
	VadOptions,
	VerifiedToken,
} from './types'
export { CodecError, CodecFreedError, REPACKET_REFUSED } from './types'

/**
 * Picks the codec: the Rust module when it is built, unless `fallback` is asked for.
 * Asking for `native` when it is not built is an error rather than a silent slowdown.
 */
export function loadCodec(preference?: CodecKind): Codec {
	if (preference === 'fallback') return fallbackCodec
	const native = loadNativeCodec()
	if (native) return native
	if (preference === 'native') {
		throw new Error('TEDDY_CODEC=native but the native module is not built (run `bun run build:native`)')
	}
	log.warn('native codec not built; using the opusscript fallback')
	return fallbackCodec
}
