// Holds an answer back, sentence by sentence, until it may be heard. The inner provider is read
// as fast as it produces; what it says is released to the toy only in order and only when:
//   - the child's words are known and have passed (the local lists at once, moderation when it
//     answers): a Realtime transcript may come after the whole answer, so until it does nothing of
//     the answer is released (a short filler fills a long wait);
//   - the sentence has passed its own check (local lists, moderation, the answer policy), which
//     starts the moment the sentence arrives, so the next sentence is checked while this one plays;
//   - audio is released behind its own sentence only: what follows sentence N is N's (provider.ts).
// Trusted sentences (the gateway's own fixed lines: "let me think", the fallback line, the offline
// bear) are released at once and never checked. Nothing here keeps audio beyond the turn.

import type { ChildVerdict } from './classify'
import type { ProviderEvent } from '../ai/provider'

/** Why the gate stopped: the answer was released, or the turn needs one of the safety layer's lines. */
export type GateEnd =
	| { kind: 'answered'; released: boolean }
	| { kind: 'child'; verdict: Exclude<ChildVerdict, { kind: 'ok' }> }
	| { kind: 'blocked'; text: string; reason: string }
	/** The child's words could not be checked (transcription failed or never came). */
	| { kind: 'unheard' }
	| { kind: 'aborted' }

export type AnswerVerdict = { ok: true } | { ok: false; reason: string }

export interface GateChecks {
	/** The child's words: the local lists' verdict now, and the moderation model's later. */
	child(text: string): { local: ChildVerdict; model: Promise<ChildVerdict> }
	answer(text: string): Promise<AnswerVerdict>
}

export interface GateOptions {
	checks: GateChecks
	signal: AbortSignal
	/** The child's typed words, checked by the caller before the inner provider was called. */
	typed?: { text: string; model: Promise<ChildVerdict> }
	/** Lines said once, before the first released sentence (introduction, break reminder). */
	prefix: () => AsyncIterable<ProviderEvent>
	/** A short filler for a child kept waiting while the answer is held; said at most once. */
	filler: () => AsyncIterable<ProviderEvent>
	/** After this long with nothing heard and an answer held back, the filler is said. */
	fillerAfterMs: number
	/** Every audio event released to the toy; `inner`: the inner provider's (not a line of our own). */
	released: (ev: ProviderEvent, inner: boolean) => void
}

interface Segment {
	text: string
	trusted: boolean
	verdict?: AnswerVerdict
	/** Its audio not yet released (released audio is not kept). */
	audio: ProviderEvent[]
	out: boolean
}

interface Words {
	text: string
	failed: boolean
	local: ChildVerdict
	model?: ChildVerdict
}

export class AnswerGate {
	private readonly segments: Segment[] = []
	/** Audio before any sentence: it waits for the first sentence, and is dropped if none comes. */
	private early: ProviderEvent[] = []
	private words: Words | undefined
	private ended = false
	private failure: { error: unknown } | undefined
	private dirty = false
	private wake: (() => void) | undefined

	constructor(private readonly opts: GateOptions) {
		const typed = opts.typed
		if (typed) {
			this.words = { text: typed.text, failed: false, local: { kind: 'ok' } }
			this.settleChild(this.words, typed.model)
		}
	}

	/** Releases `events` as they may be heard; returns why it stopped. */
	async *run(events: AsyncIterable<ProviderEvent>): AsyncGenerator<ProviderEvent, GateEnd> {
		void this.pump(events)
		const { signal } = this.opts
		const started = performance.now()
		let current = 0
		let shownWords = false
		let prefixed = false
		let heard = false
		let filled = false
		while (!signal.aborted) {
			this.dirty = false
			const words = this.words
			if (words && !shownWords) {
				shownWords = true
				if (!words.failed) yield { type: 'transcript', text: words.text }
			}
			if (words?.failed) return { kind: 'unheard' }
			if (words && words.local.kind !== 'ok') return { kind: 'child', verdict: words.local }
			if (words?.model && words.model.kind !== 'ok') return { kind: 'child', verdict: words.model }
			const wordsPassed = words !== undefined && words.model !== undefined

			let waiting = false
			while (current < this.segments.length) {
				const seg = this.segments[current]
				if (!seg.out) {
					if (!seg.trusted && (!wordsPassed || !seg.verdict)) {
						waiting = true
						break
					}
					if (seg.verdict && !seg.verdict.ok) return { kind: 'blocked', text: seg.text, reason: seg.verdict.reason }
					if (!prefixed) {
						prefixed = true
						yield* this.own(this.opts.prefix())
					}
					seg.out = true
					yield { type: 'sentence', text: seg.text, ...(seg.trusted ? { trusted: true } : {}) }
				}
				for (let ev = seg.audio.shift(); ev; ev = seg.audio.shift()) {
					heard = true
					this.opts.released(ev, true)
					yield ev
					if (signal.aborted) return { kind: 'aborted' }
				}
				if (current + 1 >= this.segments.length && !this.ended) break
				current++
			}
			if (current >= this.segments.length && this.ended) {
				if (this.failure) throw this.failure.error
				return { kind: 'answered', released: this.segments.length > 0 }
			}
			// ! A provider that never says what the child said: its answer cannot be checked.
			if (this.ended && waiting && !words) return { kind: 'unheard' }

			let waitMs: number | undefined
			if (waiting && !heard && !filled) {
				const due = started + this.opts.fillerAfterMs - performance.now()
				if (due <= 0) {
					filled = true
					if (!prefixed) {
						prefixed = true
						yield* this.own(this.opts.prefix())
					}
					yield* this.own(this.opts.filler())
					heard = true
					continue
				}
				waitMs = due
			}
			await this.sleep(waitMs)
		}
		return { kind: 'aborted' }
	}

	private async *own(lines: AsyncIterable<ProviderEvent>): AsyncGenerator<ProviderEvent> {
		for await (const ev of lines) {
			if (this.opts.signal.aborted) return
			this.opts.released(ev, false)
			yield ev
		}
	}

	private async pump(events: AsyncIterable<ProviderEvent>): Promise<void> {
		try {
			for await (const ev of events) {
				if (this.opts.signal.aborted) break
				this.take(ev)
			}
		} catch (err) {
			if (!this.opts.signal.aborted) this.failure = { error: err }
		}
		this.ended = true
		this.poke()
	}

	private take(ev: ProviderEvent): void {
		if (ev.type === 'transcript') {
			// ? One set of words per turn: a retry repeats them, a typed turn already has them.
			if (this.words) return
			if (ev.failed) this.words = { text: '', failed: true, local: { kind: 'ok' } }
			else {
				const check = this.opts.checks.child(ev.text)
				this.words = { text: ev.text, failed: false, local: check.local }
				if (check.local.kind === 'ok') this.settleChild(this.words, check.model)
			}
		} else if (ev.type === 'sentence') {
			const trusted = ev.trusted === true
			// Unchecked audio that came before any sentence goes with the first one that is checked.
			const seg: Segment = { text: ev.text, trusted, audio: trusted ? [] : this.early, out: false }
			if (!trusted) this.early = []
			this.segments.push(seg)
			// Checked now, not when its turn to be heard comes: by then the verdict is usually in.
			if (!seg.trusted) {
				this.opts.checks.answer(ev.text).then(
					(v) => this.settle(() => (seg.verdict = v)),
					(err) => this.settle(() => (seg.verdict = { ok: false, reason: `check failed: ${String(err)}` })),
				)
			}
		} else {
			// ! Audio after a trusted line is that line's only if it is marked so: unmarked audio after
			// one (a provider that broke the sentence-first rule) waits for a sentence that is checked.
			const last = this.segments.at(-1)
			if (last && (!last.trusted || ev.trusted)) last.audio.push(ev)
			else this.early.push(ev)
		}
		this.poke()
	}

	private settleChild(words: Words, model: Promise<ChildVerdict>): void {
		model.then(
			(v) => this.settle(() => (words.model = v)),
			// The moderation call never rejects; should it, the local lists have spoken.
			() => this.settle(() => (words.model = { kind: 'ok' })),
		)
	}

	private settle(apply: () => void): void {
		apply()
		this.poke()
	}

	private poke(): void {
		this.dirty = true
		const w = this.wake
		this.wake = undefined
		w?.()
	}

	/** Until something changes, the turn is aborted, or `ms` pass. */
	private sleep(ms: number | undefined): Promise<void> {
		if (this.dirty) return Promise.resolve()
		const { signal } = this.opts
		return new Promise((resolve) => {
			const done = () => {
				clearTimeout(timer)
				signal.removeEventListener('abort', done)
				this.wake = undefined
				resolve()
			}
			const timer = ms === undefined ? undefined : setTimeout(done, Math.max(0, ms))
			signal.addEventListener('abort', done, { once: true })
			this.wake = done
		})
	}
}
