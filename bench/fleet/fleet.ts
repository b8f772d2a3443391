// A worker's share of the fleet: ramps its toys' connections, runs their lives, and gathers
// their figures. Used in a worker process (bench/fleet/worker.ts) or in-process (smoke test).

import { Toy } from './toy'
import type { ToyPlan, ToyResult } from './types'
import { FRAME_MS, prepareUplink } from './wire'

export function emptyResult(): ToyResult {
	return {
		toys: 0,
		handshakes: { attempted: 0, ok: 0, failed: 0, failures: {}, ms: [] },
		held: 0,
		unexpectedCloses: {},
		turns: { started: 0, answered: 0, unanswered: 0, noAudio: 0, playbackOverTimeout: 0, bargedIn: 0, fixedLine: 0, endpointed: 0, vadMissed: 0, shed: 0, continued: 0 },
		uplinkFrames: 0,
		uplinkBytes: 0,
		downlinkFrames: 0,
		downlinkBytes: 0,
		framesLost: 0,
		seqGaps: 0,
		uplinkSendFailures: 0,
		ingestMs: [],
		endpointMs: [],
		anyFirstFrameMs: [],
		heartbeatRttMs: [],
		endOfSpeechToFirstFrameMs: [],
		fixedLineFirstFrameMs: [],
		providerToFirstFrameMs: [],
		pacingJitterMs: [],
		bargeInStopMs: [],
		reconnectMs: [],
		errors: {},
	}
}

export class ToyFleet {
	readonly result = emptyResult()
	private readonly toys: Toy[]
	private lives: Promise<void>[] = []

	constructor(private readonly plan: ToyPlan) {
		const audio = prepareUplink(plan.packets, plan.silence)
		// Talkers are spread through the list so every protocol in the mix has some.
		const every = plan.talkShare > 0 ? Math.max(1, Math.round(1 / plan.talkShare)) : 0
		this.toys = plan.toys.map((t, i) => new Toy(t.id, t.protocol, t.listen, every > 0 && i % every === 0, plan, audio, this.result))
		this.result.toys = this.toys.length
	}

	get held(): number {
		let n = 0
		for (const t of this.toys) if (t.connected) n++
		return n
	}

	/** Connects every toy, evenly spread over the ramp; resolves when all have succeeded or failed once. */
	async connectAll(): Promise<{ held: number; failed: number }> {
		const n = this.toys.length
		const t0 = performance.now()
		const attempts: Promise<boolean>[] = []
		for (let i = 0; i < n; i++) {
			const due = t0 + (this.plan.rampMs * i) / n
			const wait = due - performance.now()
			if (wait > 1) await Bun.sleep(wait)
			attempts.push(this.toys[i].connect())
		}
		const ok = await Promise.all(attempts)
		const held = ok.filter(Boolean).length
		return { held, failed: n - held }
	}

	/** Starts the toys' lives; talkers' first turns are spread over one speech-and-pause cycle. */
	start(): void {
		const cycle = this.plan.packets.length * FRAME_MS + this.plan.pauseMs[1]
		this.lives = this.toys.map((t) => t.live(Math.random() * cycle))
	}

	async stop(): Promise<ToyResult> {
		this.result.held = this.held
		for (const t of this.toys) t.stop()
		await Promise.race([Promise.all(this.lives), Bun.sleep(2000)])
		return this.result
	}
}
