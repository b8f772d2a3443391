// A wrapper provider (safety, resilience) mixes lines of its own into what its inner provider
// says. The toy's playback is counted in the wrapper's audio; the inner provider needs its own
// (the Realtime API is truncated at what the child heard of the model's audio, not of "let me
// think" before it). The timeline records, in the order it was yielded, whose audio was whose.

import type { Playback, ProviderEvent } from './provider'

/** Length of an audio event in ms; 0 for anything else. */
export function eventMs(ev: ProviderEvent): number {
	if (ev.type === 'audio') return ev.sampleRate > 0 ? (ev.pcm.length / ev.sampleRate) * 1000 : 0
	if (ev.type === 'opus') return ev.packets.length * ev.frameMs
	return 0
}

export class PlaybackTimeline {
	/** Consecutive stretches of the wrapper's own audio or of the inner's, in yield order. */
	private readonly spans: { inner: boolean; ms: number }[] = []
	private innerMs = 0
	private stoppedAt: number | undefined

	/** Notes an event the wrapper yields; `inner`: it came from the wrapped provider. */
	note(ev: ProviderEvent, inner: boolean): void {
		const ms = eventMs(ev)
		if (ms <= 0) return
		if (inner) this.innerMs += ms
		const last = this.spans.at(-1)
		if (last && last.inner === inner) last.ms += ms
		else this.spans.push({ inner, ms })
	}

	/**
	 * The wrapper stopped its inner provider while the turn goes on (a redirect, a crisis line, a
	 * fallback line): all of the inner's audio released so far will be heard.
	 */
	stopInner(): void {
		this.stoppedAt ??= this.innerMs
	}

	/** The inner provider's playback, given the wrapper's. */
	forInner(outer: Playback | undefined): Playback | undefined {
		if (!outer) return undefined
		return { playedMs: () => this.stoppedAt ?? this.innerPlayed(outer.playedMs()) }
	}

	private innerPlayed(outerMs: number): number {
		let left = outerMs
		let heard = 0
		for (const span of this.spans) {
			if (left <= 0) break
			const take = Math.min(span.ms, left)
			if (span.inner) heard += take
			left -= take
		}
		return heard
	}
}
