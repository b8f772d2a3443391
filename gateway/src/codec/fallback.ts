import { FallbackOpusDecoder, FallbackOpusEncoder } from './fallback-opus'
import { FallbackTokenVerifier } from './fallback-token'
import type { Codec } from './types'

export const fallbackCodec: Codec = {
	kind: 'fallback',
	createDecoder: (rate, channels = 1) => new FallbackOpusDecoder(rate, channels),
	createEncoder: (rate, channels = 1, application = 'voip') => new FallbackOpusEncoder(rate, channels, application),
	createTokenVerifier: (secret) => new FallbackTokenVerifier(secret),
}
