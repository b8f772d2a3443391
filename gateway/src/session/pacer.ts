// Releases a turn's downlink on a real-time clock: a short burst to fill the toy's jitter
// buffer, then one frame per frame time. One timer (the gateway's PacingClock) serves every
// speaking toy, so an idle or listening toy costs no timer at all.

export type PacedItem =
	| { kind: 'audio'; packet: Uint8Array }
	| { kind: 'sentence'; text: string }
	| { kind: 'end' }

export interface PacedSink {
	audio(packet: Uint8Array): void
	sentence(text: string): void
	end(): void
}

const TICK_MS = 10
/** Time constant of the tick lateness average (about a second of ticks). */
const LATE_TAU_MS = 1000

/**
 * The one 10 ms timer that releases every speaking toy's frames (one per gateway, made in
 * gateway.ts), and how late it fires: a tick that is late means every answer's frames leave
 * late, so its smoothed lateness is the load signal that predicts choppy audio
 * (session/admission.ts).
 */
export class PacingClock {
	private readonly active = new Set<Pacer>()
	private timer: ReturnType<typeof setInterval> | undefined
	private lastTick = 0
	private late = 0
	private lateAt = 0
	/** The latest any toy's frame left since the last tick (ms past when it was due). */
	private worstFrameLate = 0

	/** Pacers with frames waiting (toys being spoken to). */
	get speaking(): number {
		return this.active.size
	}

	/**
	 * How late audio leaves, in ms, averaged over about a second of ticks: per tick, the later of
	 * the tick itself and the latest frame any toy got since the previous tick. It decays while
	 * no toy is spoken to (no timer runs then, and nothing can stutter).
	 * ? The tick alone is not enough: with 300 talking toys on one core the tick stayed on time
	 *   while frames waited for their encode and 1 in 10 left over a frame late (README,
	 *   Performance); the worst frame per tick saw it.
	 */
	lateMs(now = performance.now()): number {
		return this.late * Math.exp(-Math.max(0, now - this.lateAt) / LATE_TAU_MS)
	}

	schedule(p: Pacer): void {
		this.active.add(p)
		if (this.timer) return
		const now = performance.now()
		this.late = this.lateMs(now)
		this.lateAt = now
		this.lastTick = now
		this.timer = setInterval(this.tick, TICK_MS)
		// The pacer must never keep a draining process alive on its own.
		this.timer.unref?.()
	}

	/** A pacer released a frame `ms` after it was due. */
	frameLate(ms: number): void {
		if (ms > this.worstFrameLate) this.worstFrameLate = ms
	}

	unschedule(p: Pacer): void {
		this.active.delete(p)
		if (this.active.size === 0 && this.timer) {
			clearInterval(this.timer)
			this.timer = undefined
			// ? A toy whose queue ran dry and got its next frame late stops the timer at once: fold now.
			this.fold(performance.now(), 0)
		}
	}

	private fold(now: number, tickLate: number): void {
		// ? At least a tick's weight: the fold on unschedule can come right after schedule().
		const dt = Math.max(TICK_MS, now - this.lateAt)
		const late = Math.max(tickLate, this.worstFrameLate)
		this.worstFrameLate = 0
		this.late += (late - this.late) * (1 - Math.exp(-dt / LATE_TAU_MS))
		this.lateAt = now
	}

	private readonly tick = (): void => {
		const now = performance.now()
		const dt = now - this.lastTick
		this.fold(now, Math.max(0, dt - TICK_MS))
		this.lastTick = now
		for (const pacer of this.active) pacer.pump(now)
	}
}

export class Pacer {
	private queue: PacedItem[] = []
	private head = 0
	private waiter: { limit: number; resolve: () => void } | undefined
	private sent = 0
	private t0 = 0

	constructor(
		private readonly clock: PacingClock,
		private readonly sink: PacedSink,
		private readonly frameMs: number,
		private readonly burstFrames = 5,
		/** Per frame after the burst: how late it left against its schedule (obs/metrics.ts). */
		private readonly lateness?: { observe(ms: number): void },
	) {}

	push(item: PacedItem): void {
		this.queue.push(item)
		if (this.queue.length - this.head === 1) this.clock.schedule(this)
		this.pump(performance.now())
	}

	/** Drops everything not yet sent (barge-in, shutdown). Sends nothing. */
	clear(): void {
		this.queue = []
		this.head = 0
		this.sent = 0
		this.clock.unschedule(this)
		this.wake()
	}

	/**
	 * Resolves once at most `limit` items wait. The session awaits this between provider events,
	 * so a provider that produces faster than real time is held back (its stream backpressured)
	 * and the encode work is spread over the answer instead of bunching at its start.
	 */
	waitBelow(limit: number): Promise<void> {
		if (this.pending <= limit) return Promise.resolve()
		return new Promise((resolve) => {
			this.waiter?.resolve()
			this.waiter = { limit, resolve }
		})
	}

	private wake(): void {
		const w = this.waiter
		this.waiter = undefined
		w?.resolve()
	}

	get pending(): number {
		return this.queue.length - this.head
	}

	/**
	 * ms of this turn's audio the toy has played by `now`: what was released, minus what the toy
	 * still holds in its buffer (it plays in real time from the first frame, and after an underrun
	 * from the frame that ended it).
	 */
	playedMs(now: number): number {
		if (this.sent === 0) return 0
		const released = this.sent * this.frameMs
		return released - Math.min(released, Math.max(0, this.t0 + released - now))
	}

	pump(now: number): void {
		while (this.head < this.queue.length) {
			const item = this.queue[this.head]
			if (item.kind === 'audio') {
				if (this.sent === 0) this.t0 = now
				// How much audio the toy holds now; after an underrun it holds none, so re-base.
				let ahead = this.t0 + this.sent * this.frameMs - now
				// ? Once past the burst a frame is due when the toy holds burst-1 frames; anything less is lateness.
				if (this.sent >= this.burstFrames - 1) {
					const late = (this.burstFrames - 1) * this.frameMs - ahead
					if (late >= 0) {
						this.lateness?.observe(late)
						this.clock.frameLate(late)
					}
				}
				if (ahead < 0) {
					this.t0 = now - this.sent * this.frameMs
					ahead = 0
				}
				// Send while the toy holds at most burst-1 frames (1 ms slack absorbs clock jitter between pushes).
				if (ahead > (this.burstFrames - 1) * this.frameMs + 1) return
				this.head++
				this.sent++
				this.sink.audio(item.packet)
				if (this.waiter && this.queue.length - this.head <= this.waiter.limit) this.wake()
			} else if (item.kind === 'sentence') {
				this.head++
				this.sink.sentence(item.text)
			} else {
				// ? The end (tts stop) waits until the toy would have played what it holds: clients
				// that clear their buffer on stop would otherwise cut the answer's last frames.
				if (this.sent > 0 && now < this.t0 + this.sent * this.frameMs - 1) return
				this.head++
				this.clear()
				this.sink.end()
				return
			}
		}
		// Drained but the turn is not over: stay idle until the next push re-schedules.
		this.queue = []
		this.head = 0
		this.clock.unschedule(this)
		this.wake()
	}
}
