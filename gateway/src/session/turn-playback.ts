import type { Playback } from '../ai/provider'
import type { Pacer } from './pacer'

// How much of one turn's answer the toy has played, for the provider (a Realtime answer is
// truncated to it on barge-in, so the model remembers only what the child heard). Read from the
// pacer while the turn plays; fixed when the turn is interrupted (what was played is all there will
// be) or when its last frame has left (all of it will be heard).

export class TurnPlayback implements Playback {
	private frames = 0
	private frozen: number | undefined

	constructor(
		private readonly pacer: Pacer,
		private readonly frameMs: number,
	) {}

	/** A frame of this turn left for the toy. */
	released(): void {
		this.frames++
	}

	playedMs(): number {
		return this.frozen ?? this.pacer.playedMs(performance.now())
	}

	/** Barge-in: call before the pacer drops what it holds. */
	interrupt(): void {
		this.frozen ??= this.pacer.playedMs(performance.now())
	}

	/** The turn's last frame has left. */
	finish(): void {
		this.frozen ??= this.frames * this.frameMs
	}
}
