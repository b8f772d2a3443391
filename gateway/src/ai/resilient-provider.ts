// Wraps a remote provider so a child is never left waiting on it. Each turn gets:
// - a first-audio deadline: if no answer audio has come by `firstAudioTimeoutMs`, the toy says a
//   short cached "let me think" line while the upstream keeps working;
// - a hard deadline (`upstreamTimeoutMs` to first audio, `stallTimeoutMs` between events after):
//   the upstream call is cancelled and the toy says a cached fallback line;
// - retries with backoff on transient errors, only while the child has heard nothing of it;
// - a circuit breaker that sends turns straight to the fallback provider while the upstream keeps
//   failing, and probes it again after a cooldown.
// The iterator always ends (never hangs, never throws for an upstream failure), so the session
// always follows with `tts stop`.

import { log } from '../obs/logger'
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker'
import { ProviderError } from './errors'
import type { FixedLines } from './fixed-lines'
import { PlaybackTimeline } from './playback'
import { needsPcm, type PcmQuestion, type Provider, type ProviderEvent, type StreamContext, type TurnInput, type UplinkStream } from './provider'

export interface ResilientOptions {
	primary: Provider
	/** Answers while the circuit is open (the offline bear). */
	fallback: Provider
	lines: FixedLines
	firstAudioTimeoutMs?: number
	upstreamTimeoutMs?: number
	stallTimeoutMs?: number
	/** Extra attempts after a transient failure. */
	retries?: number
	backoffMs?: number
	/** Options for a breaker of its own, or one shared with whatever else calls the upstream. */
	breaker?: CircuitBreakerOptions | CircuitBreaker
	/** Retries and failed turns are counted here (obs/metrics.ts). */
	counters?: { providerRetries: number; providerErrors: number }
}

export class UpstreamTimeoutError extends Error {
	readonly code = 'AI_TIMEOUT'
}

const TIMEOUT = Symbol('timeout')
const ABORTED = Symbol('aborted')

export class ResilientProvider implements Provider {
	readonly name: string
	readonly primary: Provider
	readonly breaker: CircuitBreaker
	private readonly fallback: Provider
	private readonly lines: FixedLines
	private readonly firstAudioMs: number
	private readonly upstreamMs: number
	private readonly stallMs: number
	private readonly retries: number
	private readonly backoffMs: number
	private readonly counters: ResilientOptions['counters']

	constructor(opts: ResilientOptions) {
		this.primary = opts.primary
		// ? Named after what answers, so logs and metrics keep saying which upstream is in use.
		this.name = opts.primary.name
		this.fallback = opts.fallback
		this.lines = opts.lines
		this.firstAudioMs = opts.firstAudioTimeoutMs ?? 2500
		this.upstreamMs = opts.upstreamTimeoutMs ?? 10_000
		this.stallMs = opts.stallTimeoutMs ?? this.upstreamMs
		this.retries = opts.retries ?? 2
		this.backoffMs = opts.backoffMs ?? 250
		this.counters = opts.counters
		const b = opts.breaker
		this.breaker =
			b instanceof CircuitBreaker
				? b
				: new CircuitBreaker({
						...b,
						onChange: (state) => {
							log.warn({ provider: this.primary.name, state }, 'AI circuit changed')
							b?.onChange?.(state)
						},
					})
	}

	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		if (input.signal.aborted) return
		if (!this.breaker.allow()) {
			yield* this.fallback.answer(input)
			return
		}
		const rate = input.downlink?.sampleRate ?? 24_000
		const started = performance.now()
		let transcript: string | undefined
		let heard = false
		let spoke = false
		let thinking = false
		const timeline = new PlaybackTimeline()
		const playback = timeline.forInner(input.playback)

		for (let attempt = 0; ; attempt++) {
			const ctrl = new AbortController()
			const forward = () => ctrl.abort(input.signal.reason)
			input.signal.addEventListener('abort', forward, { once: true })
			// ? A retry after the transcript skips transcription: the child's words are known.
			const it = this.primary.answer({ ...input, text: transcript ?? input.text, signal: ctrl.signal, playback })[Symbol.asyncIterator]()
			let pending: Promise<IteratorResult<ProviderEvent>> | undefined
			try {
				while (true) {
					const wait = heard
						? this.stallMs
						: thinking
							? this.upstreamMs - (performance.now() - started)
							: this.firstAudioMs - (performance.now() - started)
					pending ??= it.next()
					const r = await race(pending, wait, input.signal)
					if (r === ABORTED) {
						this.breaker.release()
						return
					}
					if (r === TIMEOUT) {
						if (!heard && !thinking) {
							// The upstream is slow, not dead: fill the silence and keep waiting for it.
							thinking = true
							for (const ev of await this.lines.events('thinking', rate)) {
								timeline.note(ev, false)
								yield ev
							}
							continue
						}
						throw new UpstreamTimeoutError(`${this.primary.name}: no ${heard ? 'progress' : 'audio'} in time`)
					}
					pending = undefined
					if (r.done) {
						this.breaker.success()
						return
					}
					const ev = r.value
					if (ev.type === 'transcript') {
						if (transcript !== undefined) continue
						// ? A transcription that failed is passed on, but a retry must not answer it as text.
						if (!ev.failed) transcript = ev.text
					} else if (ev.type === 'sentence') spoke = true
					else heard = true
					timeline.note(ev, true)
					yield ev
				}
			} catch (err) {
				if (input.signal.aborted) {
					this.breaker.release()
					return
				}
				if (!heard && !spoke && attempt < this.retries && isTransient(err)) {
					log.warn({ provider: this.primary.name, attempt, err: String(err) }, 'AI call failed; retrying')
					if (this.counters) this.counters.providerRetries++
					if (!(await sleep(this.backoffMs * 2 ** attempt * (0.75 + Math.random() * 0.5), input.signal))) return
					continue
				}
				this.breaker.failure()
				if (this.counters) this.counters.providerErrors++
				log.warn({ provider: this.primary.name, err: String(err), heard }, 'AI turn failed; speaking the fallback line')
				// The primary is abandoned, but what it already released will still be heard.
				timeline.stopInner()
				// A child who heard part of an answer keeps it; one who heard nothing gets told.
				if (!heard) yield* await this.lines.events('fallback', rate)
				return
			} finally {
				input.signal.removeEventListener('abort', forward)
				ctrl.abort()
				pending?.catch(() => {})
				// ! Not awaited: a provider stuck on the network must not hold the turn open.
				void it.return?.(undefined)?.catch(() => {})
			}
		}
	}

	/**
	 * The primary takes the child's audio as it arrives, but only while it is trusted: with the
	 * circuit open or probing the turn is sent whole (a probe, or the fallback, answers from `pcm`).
	 * Should the primary fail after streaming, the fallback line or bear still has the turn's `pcm`.
	 */
	/** Either may answer this turn, so PCM is decoded when either reads it. */
	needsPcm(turn: PcmQuestion): boolean {
		return needsPcm(this.primary, turn) || needsPcm(this.fallback, turn)
	}

	openStream(ctx: StreamContext): UplinkStream | undefined {
		if (!this.primary.openStream || this.breaker.state !== 'closed') return undefined
		return this.primary.openStream(ctx)
	}

	async close(): Promise<void> {
		await Promise.all([this.primary.close?.(), this.fallback.close?.()])
	}
}

/** Worth another try: no response, rate limited, or the server's fault. Not timeouts (too slow already). */
export function isTransient(err: unknown): boolean {
	if (!(err instanceof ProviderError)) return false
	const s = err.status
	return s === undefined || s === 408 || s === 409 || s === 429 || s >= 500
}

function race<T>(work: Promise<T>, ms: number, signal: AbortSignal): Promise<T | typeof TIMEOUT | typeof ABORTED> {
	return new Promise((resolve, reject) => {
		const onAbort = () => done(ABORTED)
		const timer = setTimeout(() => done(TIMEOUT), Math.max(0, ms))
		function done(v: T | typeof TIMEOUT | typeof ABORTED) {
			clearTimeout(timer)
			signal.removeEventListener('abort', onAbort)
			resolve(v)
		}
		if (signal.aborted) return done(ABORTED)
		signal.addEventListener('abort', onAbort, { once: true })
		work.then(done, (err) => {
			clearTimeout(timer)
			signal.removeEventListener('abort', onAbort)
			reject(err)
		})
	})
}

/** Resolves false if the turn was cancelled while waiting. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
	return new Promise((resolve) => {
		if (signal.aborted) return resolve(false)
		const t = setTimeout(() => {
			signal.removeEventListener('abort', onAbort)
			resolve(true)
		}, ms)
		const onAbort = () => {
			clearTimeout(t)
			resolve(false)
		}
		signal.addEventListener('abort', onAbort, { once: true })
	})
}
