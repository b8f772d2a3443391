// Typed failures of the AI layer, so the session can tell "no TTS engine on this box" (a deploy
// problem, fatal at startup) from "the provider failed this turn" (tell the child, keep serving).

/** espeak-ng is not installed or cannot be started. */
export class TtsUnavailableError extends Error {
	readonly code = 'TTS_UNAVAILABLE'
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options)
		this.name = 'TtsUnavailableError'
	}
}

/** espeak-ng ran but produced no usable audio (bad voice name, crash, timeout). */
export class TtsFailedError extends Error {
	readonly code = 'TTS_FAILED'
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options)
		this.name = 'TtsFailedError'
	}
}

export type ProviderStage = 'transcribe' | 'chat' | 'speech'

/** A remote AI call failed for a reason other than the turn being cancelled. */
export class ProviderError extends Error {
	readonly code = 'AI_FAILED'
	/** HTTP status of the failed call, when there was one. */
	readonly status: number | undefined
	constructor(
		readonly provider: string,
		readonly stage: ProviderStage,
		message: string,
		options?: { cause?: unknown; status?: number },
	) {
		super(`${provider}: ${stage} failed: ${message}`, options)
		this.name = 'ProviderError'
		this.status = options?.status
	}
}
