// The provider for the embedded default: no network, no model. It answers each turn with one
// kind spoken line so a toy works end to end (and benchmarks have something to stream) with
// nothing external installed but espeak-ng.

import { type EspeakTts, sharedTts, type SpeechOptions } from './tts-espeak'
import { fillLine, offlineLines } from './offline-lines'
import { type AgeBand, ageBand, firstName, type Provider, type ProviderEvent, type TurnInput } from './provider'

export interface OfflineProviderOptions {
	tts?: EspeakTts
	speech?: SpeechOptions
	/** Length of each audio event; small enough that the session can start sending early. */
	chunkMs?: number
}

export class OfflineProvider implements Provider {
	readonly name = 'offline'
	private readonly tts: EspeakTts
	private readonly speech: SpeechOptions
	private readonly chunkMs: number
	private turns = 0

	constructor(opts: OfflineProviderOptions = {}) {
		this.tts = opts.tts ?? sharedTts()
		this.speech = opts.speech ?? { voice: 'en-us+f3', speed: 150 }
		this.chunkMs = opts.chunkMs ?? 200
	}

	/** Renders every nameless line now so the first turn does not wait for espeak-ng. */
	async warm(): Promise<void> {
		const lines = Object.values(offlineLines).flatMap((band) => band.map((l) => fillLine(l, '')))
		await Promise.all([...new Set(lines)].map((l) => this.tts.synthesize(l, this.speech)))
	}

	/** The line for the next turn: rotates through the band's list in order, one per call. */
	nextLine(band: AgeBand, name: string): string {
		const lines = offlineLines[band]
		const line = lines[this.turns++ % lines.length]
		return fillLine(line, name)
	}

	/** The bear answers with its own lines; it never listens to the child's audio. */
	needsPcm(): boolean {
		return false
	}

	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		const { signal } = input
		if (signal.aborted) return
		if (input.text !== undefined) yield { type: 'transcript', text: input.text }

		const text = this.nextLine(ageBand(input.child.age), firstName(input.child.name))
		const render = this.tts.synthesize(text, this.speech)
		// ? Wait for the render or the abort, whichever is first: a barge-in must not sit out espeak.
		const speech = await raceAbort(render, signal)
		if (!speech || signal.aborted) return

		// Trusted: the bear's own fixed lines, never model text.
		yield { type: 'sentence', text, trusted: true }
		const step = Math.max(1, Math.round((speech.sampleRate * this.chunkMs) / 1000))
		for (let at = 0; at < speech.pcm.length; at += step) {
			if (signal.aborted) return
			// A copy, because the cached render is shared by every turn that says this line.
			yield { type: 'audio', pcm: speech.pcm.slice(at, at + step), sampleRate: speech.sampleRate, trusted: true }
		}
	}
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
	return new Promise((resolve, reject) => {
		const onAbort = () => resolve(undefined)
		signal.addEventListener('abort', onAbort, { once: true })
		work.then(
			(value) => {
				signal.removeEventListener('abort', onAbort)
				resolve(value)
			},
			(err) => {
				signal.removeEventListener('abort', onAbort)
				if (signal.aborted) resolve(undefined)
				else reject(err)
			},
		)
	})
}
