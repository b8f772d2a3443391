// Picks the provider from config: a remote OpenAI-compatible pipeline when one is configured,
// otherwise the offline bear so the embedded default works with nothing external.

import { FakeProvider } from './fake'
import { OfflineProvider } from './offline'
import { OpenAIPipelineProvider } from './openai-pipeline'
import type { Provider } from './provider'

export interface ProviderConfig {
	openaiApiKey?: string
	openaiBaseUrl?: string
}

export function createProvider(cfg: ProviderConfig, env: Record<string, string | undefined> = process.env): Provider {
	// Benchmarks only (bench/fleet): fixed latency and answer length, so the gateway is what is measured.
	if (env.TEDDY_PROVIDER === 'fake') return fakeFromEnv(env)
	const apiKey = cfg.openaiApiKey?.trim()
	const baseURL = cfg.openaiBaseUrl?.trim()
	// ? Local OpenAI-compatible servers usually ignore the key, but the SDK insists on one.
	if (apiKey || baseURL) return new OpenAIPipelineProvider({ apiKey: apiKey || 'local', baseURL: baseURL || undefined })
	return new OfflineProvider()
}

function fakeFromEnv(env: Record<string, string | undefined>): FakeProvider {
	const ms = (name: string, fallback: number): number => {
		const v = env[name]
		if (v === undefined || v === '') return fallback
		if (!/^\d+$/.test(v.trim())) throw new Error(`${name} must be a whole number of milliseconds (got ${JSON.stringify(v)})`)
		return Number(v)
	}
	return new FakeProvider({ latencyMs: ms('FAKE_PROVIDER_LATENCY_MS', 200), answerMs: ms('FAKE_PROVIDER_ANSWER_MS', 2000) })
}

export { ProviderError, TtsFailedError, TtsUnavailableError } from './errors'
export { FakeProvider } from './fake'
export { OfflineProvider } from './offline'
export { OpenAIPipelineProvider, type OpenAIPipelineOptions } from './openai-pipeline'
export * from './provider'
export { EspeakTts, synthesize } from './tts-espeak'
