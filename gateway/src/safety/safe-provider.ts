// Child safety as a Provider decorator: it wraps the real provider, so sessions and sockets do not
// change. Per turn, in order:
//   1. quiet hours, the daily time limit and the family's budget may close the turn with a fixed
//      goodnight line; the inner provider is then never called;
//   2. the child's words (typed, or the inner provider's transcript) go through the local lists at
//      once and the moderation model in parallel; a crisis aborts the inner provider and gets the
//      fixed crisis reply and a parent alert, "are you real?" gets the AI disclosure, unsafe words
//      a gentle redirect;
//   3. each answer sentence is held (its audio queues behind it) until both checks pass; an unsafe
//      sentence is replaced by the redirect and the rest of that answer is dropped;
//   4. the first answer of a session is prefixed with "I'm an AI friend", and a break reminder
//      follows every play-time period;
//   5. afterwards the turn is metered, and a normal turn feeds memory and the learning programme.
// Fixed lines are never model text. Nothing here keeps audio: PCM passes through and is dropped.

import { type ChildProfile, needsPcm, type PcmQuestion, type PrepareContext, type Provider, type ProviderEvent, type StreamContext, type TurnInput, type UplinkStream } from '../ai/provider'
import { AsyncQueue } from '../ai/async-queue'
import { log as rootLog, type Logger } from '../obs/logger'
import { NO_USAGE, type SafetyStore } from '../store/safety'
import type { WriteBacklog } from '../store/write-backlog'
import { answerAllowed, type ChildVerdict, classifyChild, OK } from './classify'
import { breakReminder, crisisReply, disclosure, redirect, sessionIntro } from './fixed-lines'
import { memoryEntry, remember } from './memory'
import { TurnMeter } from './metering'
import type { Moderator } from './moderation'
import { guessLanguage, type Language } from './normalize'
import type { ParentAlerts } from './parent-alerts'
import { localDay, type SafetyDefaults } from './policy'
import { ContextCache } from './context-cache'
import { allowedTools } from './device-tools-policy'
import { firstName, systemPrompt } from './prompts'
import { SessionMarks } from './session-marks'
import { espeakFixed, type SpeakFixed } from './speak-fixed'
import { closedLine, loadTurnContext, type TurnContext } from './turn-context'

export interface SafeProviderDeps {
	store: SafetyStore
	/** Turn bookkeeping is queued here so a database outage delays it and never loses it. */
	writes: WriteBacklog
	alerts: ParentAlerts
	moderator: Moderator
	defaults: SafetyDefaults
	speak?: SpeakFixed
	now?: () => number
	log?: Logger
}

type Outcome = 'none' | 'answered' | 'closed' | 'crisis' | 'disclosed' | 'redirected'

interface Turn {
	input: TurnInput
	ctx: TurnContext
	meter: TurnMeter
	outcome: Outcome
	childWords?: string
}

export class SafeProvider implements Provider {
	// ? The inner name is kept: health and logs report which AI answers, safety is always on.
	readonly name: string
	private readonly marks = new SessionMarks()
	private readonly contexts = new ContextCache()
	private readonly speak: SpeakFixed
	private readonly now: () => number
	private readonly log: Logger

	constructor(
		private readonly inner: Provider,
		private readonly deps: SafeProviderDeps,
	) {
		this.name = inner.name
		this.speak = deps.speak ?? espeakFixed()
		this.now = deps.now ?? Date.now
		this.log = deps.log ?? rootLog
	}

	close(): Promise<void> {
		return this.inner.close?.() ?? Promise.resolve()
	}

	/** The child's data was deleted: drop what the safety layer cached of it (memory, lesson, usage). */
	forgetChild(childId: string): void {
		if (childId) this.contexts.forgetChild(childId)
	}

	/**
	 * Audio goes straight to the inner provider while the child speaks: what the child said is
	 * still checked from the transcript event, before any answer is spoken. A turn closed here
	 * (quiet hours, limits) never reaches the inner provider, so its next stream starts clean.
	 */
	openStream(ctx: StreamContext): UplinkStream | undefined {
		return this.inner.openStream?.(ctx)
	}

	needsPcm(turn: PcmQuestion): boolean {
		return needsPcm(this.inner, turn)
	}

	/** The child started speaking: have the turn's safety context ready when the turn ends. */
	prepare(ctx: PrepareContext): void {
		const loading = this.context(ctx.child, ctx.session.deviceId, this.now())
		// A failed load is logged by loadTurnContext and retried by the turn itself.
		if (loading instanceof Promise) loading.catch(() => {})
	}

	private context(child: ChildProfile, deviceId: string | undefined, now: number): TurnContext | Promise<TurnContext> {
		const key = `${child.id}|${deviceId ?? ''}`
		return this.contexts.obtain(
			key,
			now,
			(c) => localDay(c.policy.timezone, now),
			() => loadTurnContext(this.deps.store, this.deps.defaults, child, deviceId, now, this.log),
		)
	}

	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		if (input.signal.aborted) return
		const now = this.now()
		const ctx = await this.context(input.child, input.session?.deviceId, now)
		const turn: Turn = { input, ctx, meter: new TurnMeter(), outcome: 'none' }
		turn.meter.hearing(input.speechMs ?? (input.sampleRate > 0 ? (input.pcm.length / input.sampleRate) * 1000 : 0))
		// Our own controller, linked to the turn's: a crisis or an unsafe answer stops the inner
		// provider while this turn goes on to speak its fixed line.
		const inner = new AbortController()
		const forward = () => inner.abort(input.signal.reason)
		input.signal.addEventListener('abort', forward, { once: true })
		try {
			if (input.signal.aborted) return
			const closed = closedLine(ctx, now)
			if (closed) {
				turn.outcome = 'closed'
				yield* this.say(turn, closed)
				return
			}
			yield* this.converse(turn, inner, now)
		} finally {
			input.signal.removeEventListener('abort', forward)
			inner.abort()
			this.settle(turn)
		}
	}

	private async *converse(turn: Turn, inner: AbortController, now: number): AsyncGenerator<ProviderEvent> {
		const { input, ctx } = turn
		const mark = input.session ? this.marks.get(input.session.deviceId, input.session.startedAt) : undefined
		if (mark && input.session?.turnIndex === 0) mark.introduced = false
		const prefix = this.prefixLines(turn, mark, now)

		let childCheck: Promise<ChildVerdict> = Promise.resolve(OK)
		let checked: string | undefined
		if (input.text !== undefined) {
			// A typed turn is checked before the inner provider is even called.
			turn.childWords = input.text
			const verdict = classifyChild(input.text)
			if (verdict.kind !== 'ok') {
				yield { type: 'transcript', text: input.text }
				return yield* this.respond(turn, verdict, mark)
			}
			checked = input.text
			childCheck = this.moderateChild(input.text, inner.signal)
		}

		const child = { ...input.child, lesson: ctx.progress?.episode.lessonGoal }
		const history = ctx.summary ? [memoryEntry(ctx.summary), ...input.history] : input.history
		turn.meter.prompt(systemPrompt(child).length + history.reduce((n, h) => n + h.text.length, 0) + (input.text?.length ?? 0))
		const tools = allowedTools(input.tools, ctx.policy.allowedTools, this.log)
		const events = pump(this.inner.answer({ ...input, child, history, tools, signal: inner.signal }), inner.signal)

		let approved = false
		const held: ProviderEvent[] = []
		for (let ev = await events.next(); ev !== undefined; ev = await events.next()) {
			if (input.signal.aborted) return
			if (ev.type === 'transcript') {
				yield ev
				if (ev.text === checked) continue
				turn.childWords = ev.text
				if (input.text === undefined) turn.meter.prompt(ev.text.length)
				const verdict = classifyChild(ev.text)
				if (verdict.kind !== 'ok') {
					inner.abort()
					return yield* this.respond(turn, verdict, mark)
				}
				checked = ev.text
				childCheck = this.moderateChild(ev.text, inner.signal)
				continue
			}
			if (ev.type !== 'sentence') {
				// ! Audio is spoken only behind a sentence that passed; audio ahead of any sentence waits
				// for one (providers emit a sentence before its audio, see provider.ts).
				if (approved) {
					turn.meter.spoken(ev)
					yield ev
				} else held.push(ev)
				continue
			}
			turn.meter.answer(ev.text)
			const verdicts = await untilAborted(Promise.all([childCheck, this.answerSafe(ev.text, inner.signal)]), input.signal)
			if (!verdicts) return
			const [childVerdict, safe] = verdicts
			childCheck = Promise.resolve(OK)
			if (childVerdict.kind !== 'ok') {
				inner.abort()
				return yield* this.respond(turn, childVerdict, mark)
			}
			if (!safe) {
				inner.abort()
				this.log.warn({ childId: input.child.id || undefined }, 'unsafe answer replaced by a redirect')
				turn.outcome = 'redirected'
				return yield* this.say(turn, redirect)
			}
			for (const line of prefix.splice(0)) yield* this.say(turn, line)
			if (mark) mark.introduced = true
			approved = true
			turn.outcome = 'answered'
			yield ev
			for (const h of held.splice(0)) {
				turn.meter.spoken(h)
				yield h
			}
		}
	}

	/** The session intro on a session's first answer; a break reminder once per play-time period. */
	private prefixLines(turn: Turn, mark: { introduced: boolean; remindedPeriod: number } | undefined, now: number): string[] {
		const session = turn.input.session
		if (!session || !mark) return []
		if (!mark.introduced) return [sessionIntro]
		const periodMs = turn.ctx.policy.playReminderMinutes * 60_000
		const period = Math.floor((now - session.startedAt) / periodMs)
		if (period >= 1 && period > mark.remindedPeriod) {
			mark.remindedPeriod = period
			return [breakReminder]
		}
		return []
	}

	private async *respond(
		turn: Turn,
		verdict: Exclude<ChildVerdict, { kind: 'ok' }>,
		mark: { introduced: boolean } | undefined,
	): AsyncGenerator<ProviderEvent> {
		if (verdict.kind === 'crisis') {
			turn.outcome = 'crisis'
			const { input, ctx } = turn
			// The alert is queued for storage (an outage delays it, never loses it) and emailed at once.
			this.deps.alerts.raise(
				{
					familyId: ctx.policy.familyId,
					childId: input.child.id || null,
					deviceId: input.session?.deviceId ?? null,
					kind: verdict.crisis,
					source: verdict.source,
					language: verdict.language,
					excerpt: turn.childWords ?? '',
				},
				ctx.policy.parentEmail,
				firstName(input.child.name),
			)
			if (mark) mark.introduced = true
			return yield* this.say(turn, crisisReply(verdict.language, input.child.country ?? ctx.policy.country, verdict.crisis), verdict.language)
		}
		if (verdict.kind === 'ai-question') {
			turn.outcome = 'disclosed'
			if (mark) mark.introduced = true
			return yield* this.say(turn, disclosure[verdict.language], verdict.language)
		}
		turn.outcome = 'redirected'
		yield* this.say(turn, redirect)
	}

	private async *say(turn: Turn, text: string, language: Language = 'en'): AsyncGenerator<ProviderEvent> {
		const { input } = turn
		for await (const ev of this.speak(text, { language, downlink: input.downlink })) {
			if (input.signal.aborted) return
			turn.meter.spoken(ev)
			yield ev
		}
	}

	private async moderateChild(text: string, signal: AbortSignal): Promise<ChildVerdict> {
		const result = await this.deps.moderator.moderate(text, signal)
		if (!result.flagged) return OK
		const language = guessLanguage(text)
		const cats = result.categories
		if (cats.some((c) => c.startsWith('self-harm'))) return { kind: 'crisis', crisis: 'self_harm', language, source: 'moderation' }
		if (cats.includes('sexual/minors')) return { kind: 'crisis', crisis: 'abuse', language, source: 'moderation' }
		return { kind: 'unsafe', language, source: 'moderation' }
	}

	private async answerSafe(text: string, signal: AbortSignal): Promise<boolean> {
		if (!answerAllowed(text)) return false
		const result = await this.deps.moderator.moderate(text, signal)
		return !result.flagged
	}

	/**
	 * Meters the turn, and lets a normal turn feed memory and the learning programme. The writes are
	 * queued (store/write-backlog.ts), so the answer never waits for the database and an outage
	 * loses nothing; the cached context takes this turn's usage and memory at once.
	 */
	private settle(turn: Turn): void {
		const { input, ctx, meter } = turn
		const { store, writes } = this.deps
		const childId = input.child.id
		const deviceId = input.session?.deviceId
		const key = `${childId}|${deviceId ?? ''}`
		const used = meter.usage()
		if (deviceId) writes.submit(`usage:${deviceId}`, 'usage', () => store.usage.add(ctx.day, deviceId, ctx.policy.familyId, used))
		let summary: string | undefined
		// ? Only a toy's turns (with a device) feed memory and the programme: a parent trying text chat does not.
		if (turn.outcome === 'answered' && childId && deviceId && turn.childWords?.trim()) {
			const memory = remember(ctx.summary, turn.childWords)
			summary = memory.text
			const age = input.child.age
			writes.submit(`child:${childId}`, 'memory summary', () => store.summaries.put(childId, memory.text, memory.approxTokens))
			writes.submit(`child:${childId}`, 'lesson progress', async () => {
				const progress = await store.programme.countTurn(childId, age)
				this.contexts.update(key, NO_USAGE, undefined, progress)
			})
		}
		this.contexts.update(key, used, summary, undefined)
	}
}

/** Reads the inner provider eagerly, so a held sentence's audio keeps arriving while it is checked. */
function pump(events: AsyncIterable<ProviderEvent>, signal: AbortSignal): AsyncQueue<ProviderEvent> {
	const queue = new AsyncQueue<ProviderEvent>()
	void (async () => {
		try {
			for await (const ev of events) {
				if (signal.aborted) break
				queue.push(ev)
			}
			queue.end()
		} catch (err) {
			if (signal.aborted) queue.end()
			else queue.fail(err)
		}
	})()
	return queue
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
	if (signal.aborted) return Promise.resolve(undefined)
	return new Promise((resolve, reject) => {
		const onAbort = () => resolve(undefined)
		signal.addEventListener('abort', onAbort, { once: true })
		work.then(
			(v) => {
				signal.removeEventListener('abort', onAbort)
				resolve(v)
			},
			(err) => {
				signal.removeEventListener('abort', onAbort)
				reject(err)
			},
		)
	})
}
