// The one place a fixed line becomes provider events. Today it renders with the offline espeak-ng
// voice (cached per line); the pre-rendered Opus cache for fixed lines plugs in here, so nothing
// else in the safety layer knows how a fixed line is voiced.

import type { FixedLines } from '../ai/fixed-lines'
import type { DownlinkHint, ProviderEvent } from '../ai/provider'
import { type Speech, type SpeechOptions, synthesize } from '../ai/tts-espeak'
import { log } from '../obs/logger'
import { type Language } from './normalize'
import { voiceOf } from './fixed-lines'

export interface FixedLineOptions {
	language?: Language
	/** The toy's downlink: an Opus cache can hand it packets it plays without transcoding. */
	downlink?: DownlinkHint
}

export type SpeakFixed = (text: string, opts?: FixedLineOptions) => AsyncIterable<ProviderEvent>

export type Synthesize = (text: string, opts?: SpeechOptions) => Promise<Speech>

/** Audio events of about this length, so the session can start sending early. */
const CHUNK_MS = 200

export function espeakFixed(render: Synthesize = synthesize): SpeakFixed {
	return async function* speakFixed(text, { language = 'en' } = {}) {
		yield { type: 'sentence', text, trusted: true }
		let speech: Speech
		try {
			speech = await render(text, { voice: voiceOf[language], speed: 150 })
		} catch (err) {
			// ! The words were already sent as text; a toy with no voice for them still shows them.
			log.error({ err: (err as Error).message, language }, 'fixed line could not be rendered')
			return
		}
		const step = Math.max(1, Math.round((speech.sampleRate * CHUNK_MS) / 1000))
		for (let at = 0; at < speech.pcm.length; at += step) {
			// A copy, because the cached render is shared by every turn that says this line.
			yield { type: 'audio', pcm: speech.pcm.slice(at, at + step), sampleRate: speech.sampleRate, trusted: true }
		}
	}
}

/**
 * English lines from the pre-rendered Opus cache (rendered once per rate, passed through to the toy
 * without an encode); other languages, or a cache failure, fall back to `fallback`.
 */
export function cachedFixed(lines: FixedLines, fallback: SpeakFixed = espeakFixed()): SpeakFixed {
	return async function* speakFixed(text, opts = {}) {
		const language = opts.language ?? 'en'
		if (language === 'en' && opts.downlink?.format !== 'pcm16') {
			let events: ProviderEvent[] | undefined
			try {
				events = await lines.events(text, opts.downlink?.sampleRate ?? 24000)
			} catch (err) {
				log.warn({ err: (err as Error).message }, 'fixed line not in the Opus cache; rendering it now')
			}
			if (events) return yield* events
		}
		yield* fallback(text, opts)
	}
}
