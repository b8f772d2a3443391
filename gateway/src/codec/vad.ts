import { Resampler } from './resample'
import { type Ending, PitchTracker } from './turn-cues'
import { CodecError, type Vad, type VadOptions } from './types'

// Speech detector and turn endpointer, the TypeScript twin of native/core/src/vad.rs (and of
// energy.rs, the scorer).
// ! Keep the two in step: same constants, same order of operations, so native and fallback
//   gateways cut turns at the same frames (test/unit/vad.test.ts checks they agree).
//
// Every 10 ms sub-frame gives three cheap features:
//   - log energy above an adaptive noise floor (fast down, slow up; slower still in speech),
//   - zero crossings per sample (voiced speech < 0.3, hiss ~0.5 at any rate),
//   - share of energy in 300–3000 Hz (one-pole high-pass and low-pass), against hum and hiss,
// combined by a fixed logistic score into a speech probability. It is the fallback's only frame
// classifier; the native detector uses Silero VAD by default and this scorer when asked for
// `classifier: 'energy'`, and then the two agree frame for frame.
//
// The endpointer starts a turn after `startMs` of (mostly) speech. A turn ends after a pause
// whose length depends on how the speech before it ended (turn-cues.ts): `hangoverMs` when the
// child sounds finished (pitch fell or rose), `holdMs` when they sound mid-sentence (level
// pitch), halfway when the pitch cannot tell. Streams at 8, 24 or 48 kHz are resampled to
// 16 kHz first.

export const VAD_RATES = [8000, 16000, 24000, 48000] as const
// ? The native default hangover is 300 ms with Silero, whose probability falls ~100 ms after
//   the voice stops; this scorer's falls at once, so its hangover is that much longer.
export const VAD_DEFAULTS = { startMs: 90, hangoverMs: 400, holdMs: 1600, prerollMs: 300 } as const

const SUB_MS = 10
const RATE = 16000 // everything after the resampler
const SUB = 160
// Speech at or above SPEECH; a pause only counts below QUIET (hysteresis, as Silero's own
// endpointing), so a wavering probability neither ends nor extends a pause.
const SPEECH = 0.5
const QUIET = 0.35
const FULL_SCALE_POWER = 32768 * 32768
const SILENCE_DB = -60 // below this a sub-frame is never speech, whatever the floor says
const FLOOR_MIN_DB = -75 // a floor below a quiet room's would make any hiss look like speech
const FLOOR_DOWN = 0.3
const FLOOR_UP = 0.02 // per 10 ms outside speech: ~0.5 s time constant
const FLOOR_UP_SPEECH = 0.002 // inside speech: ~5 s, so a long sentence does not raise it much
const MAX_OPTION_MS = 60_000
// Crossings per sample: white noise ~0.5 at any rate, voiced speech under ~0.3 even at 8 kHz.
// Above it the penalty outweighs any loudness, so hiss switching on after digital silence
// (floor at its lowest) is not a turn; fricatives lose too, but sit inside a turn's hangover.
const ZCR_NOISE = 0.3
const SNR_CAP_DB = 24 // loudness alone never outvotes the crossing rate

/** What a 10 ms sub-frame looks like, and how likely it is speech. */
export class SpeechScorer {
	private readonly dcR: number
	private readonly lpA: number
	private readonly hpR: number
	private readonly n: number
	private x1 = 0
	private y1 = 0
	private lp = 0
	private lpPrev = 0
	private hp = 0
	private floor = Number.NaN
	private speaking = false

	constructor(readonly sampleRate: number) {
		this.n = (sampleRate * SUB_MS) / 1000
		this.dcR = Math.exp((-2 * Math.PI * 60) / sampleRate)
		this.lpA = 1 - Math.exp((-2 * Math.PI * 3000) / sampleRate)
		this.hpR = Math.exp((-2 * Math.PI * 300) / sampleRate)
	}

	/** Probability (0..1) that the 10 ms sub-frame of `pcm` starting at `at` is speech. */
	score(pcm: Int16Array, at: number): number {
		let total = 0
		let band = 0
		let crossings = 0
		let { x1, y1, lp, lpPrev, hp } = this
		let neg = y1 < 0
		for (let i = at; i < at + this.n; i++) {
			const x = pcm[i]
			const y = x - x1 + this.dcR * y1
			x1 = x
			y1 = y
			lp += this.lpA * (y - lp)
			hp = this.hpR * (hp + lp - lpPrev)
			lpPrev = lp
			total += y * y
			band += hp * hp
			const n = y < 0
			if (n !== neg) crossings++
			neg = n
		}
		this.x1 = x1
		this.y1 = y1
		this.lp = lp
		this.lpPrev = lpPrev
		this.hp = hp
		const db = 10 * Math.log10((total / this.n + 1) / FULL_SCALE_POWER)
		const ratio = total > 0 ? band / total : 0
		const zcr = crossings / this.n
		if (Number.isNaN(this.floor)) this.floor = db
		else if (db < this.floor) this.floor += FLOOR_DOWN * (db - this.floor)
		else this.floor += (this.speaking ? FLOOR_UP_SPEECH : FLOOR_UP) * (db - this.floor)
		const snr = db - Math.max(this.floor, FLOOR_MIN_DB)
		let s = 0.8 * (Math.min(snr, SNR_CAP_DB) - 9) + 5 * (ratio - 0.3) - 150 * Math.max(0, zcr - ZCR_NOISE)
		if (db < SILENCE_DB) s -= 10
		const p = 1 / (1 + Math.exp(-s))
		this.speaking = p > 0.5
		return p
	}

	reset(): void {
		this.x1 = this.y1 = this.lp = this.lpPrev = this.hp = 0
		this.floor = Number.NaN
		this.speaking = false
	}
}

/** Speech detector with pitch-cued endpointing, for one mono stream. */
export class VadTs implements Vad {
	private readonly scorer = new SpeechScorer(RATE)
	private readonly pitch = new PitchTracker()
	private readonly opts: { startMs: number; hangoverMs: number; holdMs: number; prerollMs: number }
	private resampler: Resampler | null
	private readonly rest = new Int16Array(SUB) // a partial sub-frame carried to the next call
	private restLen = 0
	private p = 0
	private eventMs = 0
	private nowMs = 0 // end of the last analysed sub-frame
	private inSpeech = false
	private runMs = 0 // leaky count of recent speech while waiting for a start
	private onsetMs = 0
	private turnFromMs = 0 // where the turn's audio starts, pre-roll included
	private silenceMs = 0
	private lastSpeechMs = 0
	private hangoverMs: number // the pause that ends the turn, chosen when the pause began

	constructor(
		private readonly sampleRate: number,
		options: VadOptions = {},
	) {
		if (!(VAD_RATES as readonly number[]).includes(sampleRate)) {
			throw new CodecError(`invalid VAD sample rate ${sampleRate} Hz: use 8000, 16000, 24000 or 48000`)
		}
		if (options.classifier !== undefined && options.classifier !== 'energy') {
			throw new CodecError(`invalid VAD classifier ${JSON.stringify(options.classifier)}: the fallback codec has only "energy"`)
		}
		const hangoverMs = options.hangoverMs ?? VAD_DEFAULTS.hangoverMs
		// ? A longer hangover alone lifts the default hold with it rather than failing.
		const holdMs = options.holdMs ?? Math.max(VAD_DEFAULTS.holdMs, hangoverMs)
		this.opts = { startMs: options.startMs ?? VAD_DEFAULTS.startMs, hangoverMs, holdMs, prerollMs: options.prerollMs ?? VAD_DEFAULTS.prerollMs }
		for (const [k, v] of Object.entries(this.opts)) {
			const min = k === 'prerollMs' ? 0 : k === 'holdMs' ? Math.max(1, hangoverMs) : 1
			if (!(Number.isInteger(v) && v >= min && v <= MAX_OPTION_MS)) {
				throw new CodecError(
					`invalid VAD option ${k}=${v}: use whole ms, 1..=${MAX_OPTION_MS} (preroll may be 0, holdMs at least hangoverMs)`,
				)
			}
		}
		this.hangoverMs = hangoverMs
		this.resampler = sampleRate === RATE ? null : new Resampler(sampleRate, RATE)
	}

	/** Mean speech probability over the sub-frames of the last `process` call. */
	get probability(): number {
		return this.p
	}

	/** For the last event: pre-roll ms (start) or speech ms (end); see VadEvent. */
	get lastEventMs(): number {
		return this.eventMs
	}

	process(input: Int16Array): 0 | 1 | 2 {
		const frame = this.resampler ? this.resampler.process(input) : input
		let event: 0 | 1 | 2 = 0
		let sum = 0
		let count = 0
		let at = 0
		if (this.restLen > 0) {
			const take = Math.min(SUB - this.restLen, frame.length)
			this.rest.set(frame.subarray(0, take), this.restLen)
			this.restLen += take
			at = take
			if (this.restLen === SUB) {
				const p = this.analyse(this.rest, 0)
				sum += p
				count++
				event = this.step(p, event)
				this.restLen = 0
			}
		}
		for (; at + SUB <= frame.length; at += SUB) {
			const p = this.analyse(frame, at)
			sum += p
			count++
			event = this.step(p, event)
		}
		if (at < frame.length) {
			this.rest.set(frame.subarray(at), this.restLen)
			this.restLen += frame.length - at
		}
		if (count > 0) this.p = sum / count
		// The pre-roll counts back from the end of what this call analysed, where the caller is.
		if (event === 1) this.eventMs = this.nowMs - this.turnFromMs
		return event
	}

	reset(): void {
		this.scorer.reset()
		this.pitch.reset()
		if (this.resampler) this.resampler = new Resampler(this.sampleRate, RATE)
		this.restLen = 0
		this.p = 0
		this.eventMs = 0
		this.nowMs = 0
		this.inSpeech = false
		this.runMs = 0
		this.onsetMs = 0
		this.turnFromMs = 0
		this.silenceMs = 0
		this.lastSpeechMs = 0
		this.hangoverMs = this.opts.hangoverMs
	}

	private analyse(pcm: Int16Array, at: number): number {
		const p = this.scorer.score(pcm, at)
		this.pitch.push(pcm, at, this.nowMs + SUB_MS, this.inSpeech && p >= SPEECH)
		return p
	}

	/** The pause that ends the turn after speech that ended like this. */
	private hangoverFor(ending: Ending): number {
		const { hangoverMs: short, holdMs: long } = this.opts
		return ending === 'yield' ? short : ending === 'hold' ? long : short + Math.floor((long - short) / 2)
	}

	// One 10 ms sub-frame through the endpointer. A transition waits while this call already
	// has an event, so one `process` reports at most one and the next one reports the other.
	private step(p: number, event: 0 | 1 | 2): 0 | 1 | 2 {
		const start = this.nowMs
		this.nowMs += SUB_MS
		const speech = p >= SPEECH
		if (!this.inSpeech) {
			if (speech) {
				if (this.runMs === 0) this.onsetMs = start
				this.runMs += SUB_MS
			} else {
				// ? Gaps decay the count twice as fast as speech builds it: flickers of noise
				//   never add up to a start, a consonant's dip does not restart the count.
				this.runMs = Math.max(0, this.runMs - 2 * SUB_MS)
			}
			if (event === 0 && this.runMs >= this.opts.startMs) {
				this.inSpeech = true
				this.silenceMs = 0
				this.lastSpeechMs = this.nowMs
				this.turnFromMs = Math.max(0, this.onsetMs - this.opts.prerollMs)
				this.pitch.newTurn()
				return 1
			}
			return event
		}
		if (speech) {
			this.silenceMs = 0
			this.lastSpeechMs = this.nowMs
		} else if (p < QUIET) {
			if (this.silenceMs === 0) this.hangoverMs = this.hangoverFor(this.pitch.ending(this.lastSpeechMs))
			this.silenceMs += SUB_MS
		}
		if (event === 0 && this.silenceMs >= this.hangoverMs) {
			this.inSpeech = false
			this.runMs = 0
			this.eventMs = this.lastSpeechMs - this.onsetMs
			return 2
		}
		return event
	}
}
