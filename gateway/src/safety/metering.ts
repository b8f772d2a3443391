// What one turn cost. Tokens are what the API reported for the turn's calls (chat usage with
// `stream_options.include_usage`, the Realtime response.done usage, transcription usage, the
// answer-policy classifier's usage). Where the answering provider reports nothing (the offline
// bear, a local server without usage, speech synthesis) they are estimated from text length at
// about four characters per token (OpenAI's rule of thumb for English; other scripts run higher),
// and the turn's row says how many of its tokens were estimated. Audio is measured exactly from
// the samples and packets that pass through.

import type { ProviderEvent, TokenUsage } from '../ai/provider'
import type { Usage } from '../store/safety'

export const CHARS_PER_TOKEN = 4

export const estimateTokens = (chars: number): number => Math.ceil(chars / CHARS_PER_TOKEN)

export class TurnMeter {
	audioInMs = 0
	audioOutMs = 0
	private estimatedIn = 0
	private estimatedOut = 0
	/** What the answering provider's API calls reported; undefined while they reported nothing. */
	private reported: TokenUsage | undefined
	/** The safety layer's own model calls (the answer policy): always reported. */
	private readonly checks: TokenUsage = { input: 0, output: 0 }

	/** The child's speech, counted whether or not the model is called (transcription costs too). */
	hearing(ms: number): void {
		this.audioInMs += Math.round(ms)
	}

	/** Everything sent to the model: system prompt, history, the child's words (the estimate). */
	prompt(chars: number): void {
		this.estimatedIn += estimateTokens(chars)
	}

	/** Model text the child heard, or that was generated and then replaced (the estimate). */
	answer(text: string): void {
		this.estimatedOut += estimateTokens(text.length)
	}

	/** Tokens an API call of the answering provider reported. */
	provider(used: TokenUsage): void {
		this.reported = { input: (this.reported?.input ?? 0) + used.input, output: (this.reported?.output ?? 0) + used.output }
	}

	/** Tokens one of the safety layer's own checks reported. */
	check(used: TokenUsage): void {
		this.checks.input += used.input
		this.checks.output += used.output
	}

	spoken(ev: ProviderEvent): void {
		if (ev.type === 'audio' && ev.sampleRate > 0) this.audioOutMs += (ev.pcm.length / ev.sampleRate) * 1000
		else if (ev.type === 'opus') this.audioOutMs += ev.packets.length * ev.frameMs
	}

	usage(): Usage {
		const answered = this.reported ?? { input: this.estimatedIn, output: this.estimatedOut }
		return {
			turns: 1,
			tokensIn: answered.input + this.checks.input,
			tokensOut: answered.output + this.checks.output,
			tokensEstimated: this.reported ? 0 : this.estimatedIn + this.estimatedOut,
			audioInMs: this.audioInMs,
			audioOutMs: Math.round(this.audioOutMs),
		}
	}
}
