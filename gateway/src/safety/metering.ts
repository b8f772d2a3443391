// What one turn cost. Providers do not report token counts yet, so tokens are estimated from text
// length at about four characters per token (OpenAI's rule of thumb for English; other scripts
// run higher, so budgets in those languages are a little generous). Audio is measured exactly
// from the samples and packets that pass through.

import type { ProviderEvent } from '../ai/provider'
import type { Usage } from '../store/safety'

export const CHARS_PER_TOKEN = 4

export const estimateTokens = (chars: number): number => Math.ceil(chars / CHARS_PER_TOKEN)

export class TurnMeter {
	tokensIn = 0
	tokensOut = 0
	audioInMs = 0
	audioOutMs = 0

	/** The child's speech, counted whether or not the model is called (transcription costs too). */
	hearing(ms: number): void {
		this.audioInMs += Math.round(ms)
	}

	/** Everything sent to the model: system prompt, history, the child's words. */
	prompt(chars: number): void {
		this.tokensIn += estimateTokens(chars)
	}

	/** Model text the child heard (or that was generated and then replaced). */
	answer(text: string): void {
		this.tokensOut += estimateTokens(text.length)
	}

	spoken(ev: ProviderEvent): void {
		if (ev.type === 'audio' && ev.sampleRate > 0) this.audioOutMs += (ev.pcm.length / ev.sampleRate) * 1000
		else if (ev.type === 'opus') this.audioOutMs += ev.packets.length * ev.frameMs
	}

	usage(): Usage {
		return {
			turns: 1,
			tokensIn: this.tokensIn,
			tokensOut: this.tokensOut,
			audioInMs: this.audioInMs,
			audioOutMs: Math.round(this.audioOutMs),
		}
	}
}
