// How a stretch of speech ended, from its pitch: the cue a listener uses to tell "finished"
// from "thinking". The TypeScript twin of native/core/src/pitch.rs.
// ! Keep the two in step: integer sample sums are exact in f64 in both languages, and the rest
//   is + − × ÷ √ in the same order, so both give the same F0 to the last bit.
//
// A speaker who stops mid-sentence to think holds the pitch level (a plateau, often on a
// lengthened word); one who has finished falls to the bottom of their range (statements,
// wh-questions) or rises (questions). So while a turn is spoken, every 40 ms of speech gets an
// F0 from normalised autocorrelation at 8 kHz (80–500 Hz); when the speech stops, the last F0s
// are compared with the turn's median and with each other.

const SUB = 160 // 16 kHz samples per 10 ms sub-frame; the tracker keeps 8 kHz (pairs summed)
const HALF = SUB / 2
const WIN = 240 // analysis window at 8 kHz: 30 ms, two periods of 80 Hz
const LAG_MIN = 16 // 500 Hz
const LAG_MAX = 100 // 80 Hz
const RING = 512
const SPAN = WIN + LAG_MAX + 1 // one more: the running energy steps past the last lag
const VOICED_R = 0.6 // normalised autocorrelation a frame needs to count as voiced
const OCTAVE_GUARD = 0.85 // lags this close to the best count; the shortest wins (no octave drops)
const KEEP = 256 // F0s kept per turn (40 ms each: the last ~10 s)
const EVERY = 4 // analyse every this many sub-frames of speech
// The last F0 must be this close to the end of speech to judge it. ? Generous: the pitch that
// tells is on the last vowel, and a final consonant or Silero's overhang in babble comes after.
const RECENT_MS = 500
const FALL = 0.93 // end at or below this share of the turn's median F0: a final fall (≈ −1.3 st)
const RISE = 1.08 // end at or above this share of the lowest recent F0: a final rise (≈ +1.3 st)

/** Fell or rose: sounds finished. Level: sounds mid-sentence. Unknown: cannot tell. */
export type Ending = 'yield' | 'hold' | 'unknown'

const median3 = (a: number, b: number, c: number) => Math.min(Math.max(a, b), Math.max(Math.min(a, b), c))

/** Pitch of one turn's speech, fed one 10 ms sub-frame at 16 kHz at a time. */
export class PitchTracker {
	private readonly ring = new Float64Array(RING)
	private at = 0
	private filled = 0
	private tick = 0
	private readonly f0 = new Float64Array(KEEP)
	private count = 0 // F0s recorded this turn (the array keeps the last KEEP)
	private lastVoicedMs = 0
	private readonly scratch = new Float64Array(KEEP)
	private readonly span = new Float64Array(SPAN)
	private readonly r = new Float64Array(LAG_MAX + 2)

	/** Forgets the turn's pitch (the audio history stays). */
	newTurn(): void {
		this.count = 0
		this.tick = 0
	}

	reset(): void {
		this.ring.fill(0)
		this.at = 0
		this.filled = 0
		this.newTurn()
	}

	/** Adds the sub-frame of `pcm` at `from` (160 samples) ending at `nowMs`; `speech` ones are analysed every 40 ms. */
	push(pcm: Int16Array, from: number, nowMs: number, speech: boolean): void {
		for (let i = from; i < from + SUB; i += 2) {
			this.ring[this.at] = pcm[i] + pcm[i + 1]
			this.at = (this.at + 1) % RING
		}
		this.filled = Math.min(this.filled + HALF, RING)
		if (!speech) return
		this.tick++
		if (this.tick % EVERY !== 0 || this.filled < SPAN) return
		const f0 = this.estimate()
		if (f0 === null) return
		this.f0[this.count % KEEP] = f0
		this.count++
		this.lastVoicedMs = nowMs
	}

	/** How the turn's speech, which stopped at `speechEndMs`, ended. */
	ending(speechEndMs: number): Ending {
		const n = Math.min(this.count, KEEP)
		if (n < 4 || speechEndMs - this.lastVoicedMs > RECENT_MS) return 'unknown'
		const last = (k: number) => this.f0[(this.count - 1 - k) % KEEP]
		const end = median3(last(0), last(1), last(2))
		let low = Number.POSITIVE_INFINITY
		for (let k = 0; k < Math.min(n, 6); k++) low = Math.min(low, last(k))
		const turn = this.scratch.subarray(0, n)
		turn.set(this.f0.subarray(0, n))
		turn.sort()
		const median = turn[n >> 1]
		return end <= median * FALL || end >= low * RISE ? 'yield' : 'hold'
	}

	/** F0 (Hz) of the last 30 ms, or null when it is not clearly voiced. */
	private estimate(): number | null {
		const x = this.span
		const start = (this.at + RING - SPAN) % RING
		for (let i = 0; i < SPAN; i++) x[i] = this.ring[(start + i) % RING]
		let e0 = 0
		for (let i = 0; i < WIN; i++) e0 += x[i] * x[i]
		if (e0 === 0) return null
		let e1 = 0
		for (let i = LAG_MIN; i < LAG_MIN + WIN; i++) e1 += x[i] * x[i]
		const r = this.r
		let best = 0
		for (let lag = LAG_MIN; lag <= LAG_MAX; lag++) {
			let xy = 0
			for (let i = 0; i < WIN; i++) xy += x[i] * x[i + lag]
			r[lag] = e1 > 0 ? xy / Math.sqrt(e0 * e1) : 0
			if (r[lag] > best) best = r[lag]
			e1 += x[lag + WIN] * x[lag + WIN] - x[lag] * x[lag]
		}
		if (best < VOICED_R) return null
		// ? The shortest lag at a local peak within reach of the best: a sub-harmonic (twice the
		//   period) correlates as well as the period itself.
		let lag = -1
		for (let l = LAG_MIN + 1; l < LAG_MAX; l++) {
			if (r[l] >= OCTAVE_GUARD * best && r[l] >= r[l - 1] && r[l] >= r[l + 1]) {
				lag = l
				break
			}
		}
		if (lag < 0) return null
		const a = r[lag - 1]
		const b = r[lag]
		const c = r[lag + 1]
		const den = a - 2 * b + c
		const shift = den < 0 ? (0.5 * (a - c)) / den : 0
		return 8000 / (lag + shift)
	}
}
