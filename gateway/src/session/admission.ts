import type { FixedLines } from '../ai/fixed-lines'
import type { ProviderEvent } from '../ai/provider'
import type { Logger } from '../obs/logger'
import type { HotCounters } from '../obs/metrics'

// Admission control (issue 17 item 6): once the core saturates, every toy's pacing stutters, so
// above a measured load the gateway stops taking on work instead of spreading it thinner. The
// load is how late the pacing clock's 10 ms tick fires, smoothed over about a second
// (session/pacer.ts PacingClock): that lateness is exactly what a child hears as stutter.
//   - over `shedTurnsAtMs`: a new turn gets a short pre-rendered line ("I need a moment…") instead
//     of a provider turn, so the answers already playing keep their share of the core;
//   - over `refuseConnectionsAtMs`: new connections are refused with 1012 and a retry hint.

export type AdmissionLevel = 'open' | 'shedding-turns' | 'refusing-connections'

export interface AdmissionOptions {
	/** Smoothed pacing lateness (ms) from which new turns get the busy line. */
	shedTurnsAtMs: number
	/** Smoothed pacing lateness (ms) from which new connections are refused. */
	refuseConnectionsAtMs: number
}

/** A refused toy is told to come back after this long (PROTOCOL.md §5: reconnect with jittered backoff). */
export const ADMISSION_RETRY_SECONDS = 15

/** A level is left only once the load is below this share of its threshold, so one noisy second does not flap (and log) on the edge. */
const HYSTERESIS = 0.75

export interface AdmissionDeps {
	/** The load signal in ms (the gateway's PacingClock.lateMs; tests inject their own). */
	signal: () => number
	lines: Pick<FixedLines, 'events'>
	log: Logger
	/** Sheds are counted here (obs/metrics.ts teddy_admission_shed_total); absent when metrics are off. */
	counters?: HotCounters
}

export class Admission {
	private current: AdmissionLevel = 'open'

	constructor(
		private readonly opts: AdmissionOptions,
		private readonly deps: AdmissionDeps,
	) {}

	/** The level as of the last decision. */
	get level(): AdmissionLevel {
		return this.current
	}

	/** Whether a new turn may go to the provider; false: it gets busyLine() (and is counted). */
	admitTurn(): boolean {
		if (this.evaluate() === 'open') return true
		if (this.deps.counters) this.deps.counters.admissionShed.turn++
		return false
	}

	/** Whether a new connection may open; false: refuse it with 1012 and ADMISSION_RETRY_SECONDS (counted). */
	admitConnection(): boolean {
		if (this.evaluate() !== 'refusing-connections') return true
		if (this.deps.counters) this.deps.counters.admissionShed.connection++
		return false
	}

	/** The line a shed turn hears, as provider events (trusted, pre-rendered: no model, no moderation). */
	busyLine(sampleRate: number): Promise<ProviderEvent[]> {
		return this.deps.lines.events('busy', sampleRate)
	}

	private evaluate(): AdmissionLevel {
		const ms = this.deps.signal()
		const { shedTurnsAtMs: shed, refuseConnectionsAtMs: refuse } = this.opts
		const was = this.current
		const stay = (threshold: number) => ms >= threshold * HYSTERESIS
		let next: AdmissionLevel
		if (ms >= refuse || (was === 'refusing-connections' && stay(refuse))) next = 'refusing-connections'
		else if (ms >= shed || (was !== 'open' && stay(shed))) next = 'shedding-turns'
		else next = 'open'
		if (next !== was) {
			this.current = next
			// Once per change of level, never per turn: a saturated gateway must not also flood its log.
			const fields = { from: was, to: next, pacingLateMs: Math.round(ms * 10) / 10, shedTurnsAtMs: shed, refuseConnectionsAtMs: refuse }
			if (next === 'open') this.deps.log.info(fields, 'admission: load is back to normal; taking new turns and connections')
			else if (next === 'shedding-turns') this.deps.log.warn(fields, 'admission: overloaded; new turns get a "moment" line instead of an answer')
			else this.deps.log.warn(fields, 'admission: badly overloaded; refusing new connections (1012, retry hint)')
		}
		return next
	}
}
