import { FallbackMp3Encoder } from './fallback-mp3'
import { FallbackOpusDecoder, FallbackOpusEncoder } from './fallback-opus'
import { FallbackResampler } from './fallback-resample'
import { FallbackTokenVerifier } from './fallback-token'
import { muxOggOpus, OggOpusDemuxerTs } from './ogg'
import { OpusRepacketizerTs } from './opus-repacketizer'
import type { Codec } from './types'
import { VadTs } from './vad'

export const fallbackCodec: Codec = {
	kind: 'fallback',
	encodeThreads: 0,
	createDecoder: (rate, channels = 1) => new FallbackOpusDecoder(rate, channels),
	createEncoder: (rate, channels = 1, application = 'voip') => new FallbackOpusEncoder(rate, channels, application),
	createTokenVerifier: (secret) => new FallbackTokenVerifier(secret),
	createResampler: (inRate, outRate) => new FallbackResampler(inRate, outRate),
	createVad: (sampleRate, options) => new VadTs(sampleRate, options),
	muxOggOpus: (packets, frameSamples48k, inputSampleRate) => muxOggOpus(packets, frameSamples48k, inputSampleRate),
	createOggDemuxer: () => new OggOpusDemuxerTs(),
	createRepacketizer: (targetSamples48k) => new OpusRepacketizerTs(targetSamples48k),
	createMp3Encoder: (sampleRate, kbps) => new FallbackMp3Encoder(sampleRate, kbps),
}
