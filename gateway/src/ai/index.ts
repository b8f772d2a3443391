// Picks the provider from config: a remote OpenAI-compatible pipeline when one is configured,
// otherwise the offline bear so the embedded default works with nothing external.

import { OfflineProvider } from './offline'
import { OpenAIPipelineProvider } from './openai-pipeline'
import type { Provider } from './provider'

export interface ProviderConfig {
	openaiApiKey?: string
	openaiBaseUrl?: string
}

export function createProvider(cfg: ProviderConfig): Provider {
	const apiKey = cfg.openaiApiKey?.trim()
	const baseURL = cfg.openaiBaseUrl?.trim()
	// ? Local OpenAI-compatible servers usually ignore the key, but the SDK insists on one.
	if (apiKey || baseURL) return new OpenAIPipelineProvider({ apiKey: apiKey || 'local', baseURL: baseURL || undefined })
	return new OfflineProvider()
}

export { ProviderError, TtsFailedError, TtsUnavailableError } from './errors'
export { OfflineProvider } from './offline'
export { OpenAIPipelineProvider, type OpenAIPipelineOptions } from './openai-pipeline'
export * from './provider'
export { EspeakTts, synthesize } from './tts-espeak'
