// Picks the provider from config: a remote OpenAI-compatible pipeline (or Realtime) when one is
// configured, otherwise the offline bear so the embedded default works with nothing external.
// A remote provider is wrapped so timeouts, retries and a circuit breaker fall back to the bear
// and to cached spoken lines rather than to silence.

import { log } from '../obs/logger'
import type { Codec } from '../codec'
import { CircuitBreaker } from './circuit-breaker'
import { type FakeFormat, FakeProvider } from './fake'
import { FixedLines } from './fixed-lines'
import { OfflineProvider } from './offline'
import { OpenAIPipelineProvider } from './openai-pipeline'
import { OpenAIRealtimeProvider } from './openai-realtime'
import type { Provider } from './provider'
import { ResilientProvider } from './resilient-provider'
import type { EspeakTts } from './tts-espeak'

export interface ProviderConfig {
	openaiApiKey?: string
	openaiBaseUrl?: string
	/** Enables Ogg Opus up and down, and the cached fixed lines the resilient wrapper speaks. */
	codec?: Codec
	ai?: AiSettings
	/** The upstream's circuit, shared with the safety layer's moderation (made from `ai` if absent). */
	circuit?: CircuitBreaker
	/** Provider retries and failures are counted here when metrics are on. */
	counters?: { providerRetries: number; providerErrors: number }
	/** The offline voice; default the process-wide espeak-ng on PATH. */
	tts?: EspeakTts
}

export interface AiSettings {
	/** OPENAI_MODE: STT → chat → TTS (default) or speech-to-speech Realtime. */
	mode?: 'pipeline' | 'realtime'
	/** OPENAI_REALTIME_VAD: who ends the child's turn in realtime mode. */
	realtimeVad?: 'gateway' | 'server'
	firstAudioTimeoutMs?: number
	upstreamTimeoutMs?: number
	retries?: number
	circuitFailures?: number
	circuitCooldownMs?: number
	/** FAKE_PROVIDER_FORMAT: what the bench's fake provider answers in. */
	fakeFormat?: FakeFormat
	/** TEDDY_PROVIDER: `fake` answers with a fixed latency and length (bench/fleet only). */
	provider?: 'fake'
	fakeLatencyMs?: number
	fakeAnswerMs?: number
}

export function createProvider(cfg: ProviderConfig): Provider {
	const ai = cfg.ai ?? {}
	const apiKey = cfg.openaiApiKey?.trim()
	const baseURL = cfg.openaiBaseUrl?.trim()
	// Benchmarks only (bench/fleet): fixed latency and answer length, so the gateway is what is measured.
	// ? Wrapped below like a remote provider, so a benchmark pays for the same wrappers production does.
	const fake = ai.provider === 'fake'
	if (!fake && !apiKey && !baseURL) return new OfflineProvider({ tts: cfg.tts })
	// ? Local OpenAI-compatible servers usually ignore the key, but the SDK insists on one.
	const key = apiKey || 'local'
	const url = baseURL || undefined
	const primary: Provider = fake
		? new FakeProvider({ latencyMs: ai.fakeLatencyMs, answerMs: ai.fakeAnswerMs, format: ai.fakeFormat, codec: cfg.codec })
		: ai.mode === 'realtime'
			? new OpenAIRealtimeProvider({ apiKey: key, baseURL: url, vad: ai.realtimeVad, codec: cfg.codec })
			: // Retries belong to the wrapper, which knows whether the child has heard anything yet.
				new OpenAIPipelineProvider({ apiKey: key, baseURL: url, codec: cfg.codec, maxRetries: cfg.codec ? 0 : 1 })
	if (!cfg.codec) return primary
	const lines = new FixedLines({ codec: cfg.codec, tts: cfg.tts })
	const fallback = new OfflineProvider({ tts: cfg.tts })
	// Rendered now so the first slow turn's "let me think" costs nothing.
	Promise.all([lines.warm(), fallback.warm()]).catch((err) => log.warn({ err }, 'fixed lines could not be pre-rendered'))
	return new ResilientProvider({
		primary,
		fallback,
		lines,
		firstAudioTimeoutMs: ai.firstAudioTimeoutMs,
		upstreamTimeoutMs: ai.upstreamTimeoutMs,
		retries: ai.retries,
		breaker: cfg.circuit ?? { failureThreshold: ai.circuitFailures, cooldownMs: ai.circuitCooldownMs },
		counters: cfg.counters,
	})
}

export { ProviderError, TtsFailedError, TtsUnavailableError } from './errors'
export { CircuitBreaker, type CircuitState } from './circuit-breaker'
export { type FakeFormat, FakeProvider } from './fake'
export { FixedLines, fixedLineTexts, type FixedLineId } from './fixed-lines'
export { OfflineProvider } from './offline'
export { OpenAIPipelineProvider, type OpenAIPipelineOptions } from './openai-pipeline'
export { OpenAIRealtimeProvider, type OpenAIRealtimeOptions } from './openai-realtime'
export * from './provider'
export { ResilientProvider, type ResilientOptions } from './resilient-provider'
export { TimedProvider } from './timed-provider'
export { EspeakTts, synthesize } from './tts-espeak'
