// The moderation model (OpenAI /v1/moderations through the SDK): a second opinion on the child's
// words and on every answer sentence, for what short word lists cannot see (threats, grooming,
// self-harm said in other words). It is advisory on failure: if the service errors or is slow, the
// local lists have already run and the turn goes on, because a moderation outage must not silence
// every toy. That trade-off is written up in docs/safety.md.
// It calls the same upstream as the answers, so it shares their circuit breaker: while the circuit
// is open no call is made (the local lists decide at once), and a timeout or server error counts
// as one more failure of the upstream.

import OpenAI, { APIError } from 'openai'
import type { CircuitBreaker } from '../ai/circuit-breaker'
import { log } from '../obs/logger'

export interface ModerationResult {
	flagged: boolean
	/** Flagged categories, OpenAI's names ('self-harm/intent', 'sexual/minors', …). */
	categories: string[]
	/** Set when the service could not answer; `flagged` is then false. */
	failed?: boolean
}

export interface Moderator {
	readonly name: string
	moderate(text: string, signal: AbortSignal): Promise<ModerationResult>
}

export const CLEAN: ModerationResult = { flagged: false, categories: [] }

/** Used when no moderation service is configured: the local lists are all there is. */
export class NoModerator implements Moderator {
	readonly name = 'none'
	async moderate(): Promise<ModerationResult> {
		return CLEAN
	}
}

export interface OpenAIModeratorOptions {
	apiKey: string
	baseURL?: string
	model?: string
	/** A sentence waits for its verdict before it is spoken, so this bounds the added delay. */
	timeoutMs?: number
	/** The upstream's circuit, shared with the answering provider. */
	circuit?: CircuitBreaker
}

export class OpenAIModerator implements Moderator {
	readonly name = 'openai'
	private readonly client: OpenAI
	private readonly model: string
	private readonly circuit: CircuitBreaker | undefined

	constructor(opts: OpenAIModeratorOptions) {
		// ? No retries: a retry after a timeout doubles the silence, and the local lists already ran.
		this.client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeout: opts.timeoutMs ?? 2_000, maxRetries: 0 })
		this.model = opts.model ?? 'omni-moderation-latest'
		this.circuit = opts.circuit
	}

	async moderate(text: string, signal: AbortSignal): Promise<ModerationResult> {
		if (!text.trim()) return CLEAN
		if (this.circuit?.blocked) return { ...CLEAN, failed: true }
		try {
			const res = await this.client.moderations.create({ model: this.model, input: text }, { signal })
			const result = res.results[0]
			if (!result) return { ...CLEAN, failed: true }
			const categories = Object.entries(result.categories)
				.filter(([, hit]) => hit === true)
				.map(([name]) => name)
			return { flagged: result.flagged, categories }
		} catch (err) {
			if (!signal.aborted) {
				log.warn({ err: (err as Error).message }, 'moderation failed; local lists only for this text')
				if (upstreamDown(err)) this.circuit?.failure()
			}
			return { ...CLEAN, failed: true }
		}
	}
}

/** A timeout, a lost connection or a server error: the upstream's fault, not this request's. */
export function upstreamDown(err: unknown): boolean {
	if (!(err instanceof APIError)) return true
	const status = err.status
	return status === undefined || status === 408 || status === 429 || status >= 500
}
