// Child safety as a Provider decorator: it wraps the real provider, so sessions and sockets do not
// change. Per turn, in order:
//   1. quiet hours, the daily time limit and the family's budget may close the turn with a fixed
//      goodnight line; the inner provider is then never called;
//   2. the child's words (typed, or the inner provider's transcript, which may come late) go
//      through the local lists at once and the moderation model in parallel; a crisis aborts the
//      inner provider and gets the fixed crisis reply and a parent alert, "are you real?" gets the
//      AI disclosure, unsafe words a gentle redirect; words nobody could make out get "say that
//      again" rather than an answer nobody checked;
//   3. the answer is held sentence by sentence (answer-gate.ts) until the child's words and that
//      sentence have passed the local lists, moderation and the answer policy (answer-policy.ts);
//      an unsafe sentence is replaced by the redirect and the rest of that answer is dropped;
//      the gateway's own fixed lines are trusted and never checked;
//   4. the first answer of a session is prefixed with "I'm an AI friend", and a break reminder
//      follows every play-time period;
//   5. afterwards the turn is metered (the tokens the API reported, estimated where it reported
//      none), and a normal turn feeds memory and the learning programme.
// Fixed lines are never model text. Nothing here keeps audio: PCM passes through and is dropped.

import { fixedLineTexts } from '../ai/fixed-lines'
import { PlaybackTimeline } from '../ai/playback'
import { type ChildProfile, needsPcm, type PcmQuestion, type PrepareContext, type Provider, type ProviderEvent, type StreamContext, type TurnInput, type UplinkStream } from '../ai/provider'
import { log as rootLog, type Logger } from '../obs/logger'
import { NO_USAGE, type SafetyStore } from '../store/safety'
import type { WriteBacklog } from '../store/write-backlog'
import { AnswerGate, type AnswerVerdict } from './answer-gate'
import { AnswerPolicy, type PolicyClassifier } from './answer-policy'
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
import type { SafetyIdentifiers } from './safety-identifier'
import { SessionMarks } from './session-marks'
import { espeakFixed, type SpeakFixed } from './speak-fixed'
import { closedLine, loadTurnContext, type TurnContext } from './turn-context'

export interface SafeProviderDeps {
	store: SafetyStore
	/** Turn bookkeeping is queued here so a database outage delays it and never loses it. */
	writes: WriteBacklog
	alerts: ParentAlerts
	moderator: Moderator
	/** Meaning-level checks of answer sentences; default: the offline patterns only. */
	policy?: PolicyClassifier
	defaults: SafetyDefaults
	speak?: SpeakFixed
	/** A child kept waiting this long while the answer is held back hears a short filler. */
	fillerAfterMs?: number
	/** Keyed-hash safety identifiers per family, passed to the API. */
	identifiers?: SafetyIdentifiers
	now?: () => number
	log?: Logger
}

type Outcome = 'none' | 'answered' | 'closed' | 'crisis' | 'disclosed' | 'redirected' | 'unheard'

interface Turn {
	input: TurnInput
	ctx: TurnContext
	meter: TurnMeter
	outcome: Outcome
	/** Some of the model's answer reached the toy (an interrupted turn was still answered in part). */
	heardAnswer?: boolean
	childWords?: string
}

export class SafeProvider implements Provider {
	// ? The inner name is kept: health and logs report which AI answers, safety is always on.
	readonly name: string
	private readonly marks = new SessionMarks()
	private readonly contexts = new ContextCache()
	private readonly speak: SpeakFixed
	private readonly policy: PolicyClassifier
	private readonly now: () => number
	private readonly log: Logger

	constructor(
		private readonly inner: Provider,
		private readonly deps: SafeProviderDeps,
	) {
		this.name = inner.name
		this.speak = deps.speak ?? espeakFixed()
		this.policy = deps.policy ?? new AnswerPolicy()
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
		if (!this.inner.openStream) return undefined
		// The stream may open the provider's connection, which carries the family's safety id.
		const loading = this.context(ctx.child, ctx.session.deviceId, this.now())
		const safetyId =
			loading instanceof Promise
				? loading.then(
						(c) => this.safetyId(c, ctx.session.deviceId),
						() => this.safetyId(undefined, ctx.session.deviceId),
					)
				: this.safetyId(loading, ctx.session.deviceId)
		return this.inner.openStream({ ...ctx, instructions: systemPrompt(ctx.child), safetyId })
	}

	private safetyId(ctx: TurnContext | undefined, deviceId: string | undefined): string | undefined {
		return this.deps.identifiers?.of(ctx?.policy.familyId ?? null, deviceId)
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
		const { input, ctx, meter } = turn
		const mark = input.session ? this.marks.get(input.session.deviceId, input.session.startedAt) : undefined
		if (mark && input.session?.turnIndex === 0) mark.introduced = false
		const prefix = this.prefixLines(turn, mark, now)

		let typed: { text: string; model: Promise<ChildVerdict> } | undefined
		if (input.text !== undefined) {
			// A typed turn is checked before the inner provider is even called.
			turn.childWords = input.text
			const verdict = classifyChild(input.text)
			if (verdict.kind !== 'ok') {
				// ? Typed words the lists flag never reach the model; moderation may still make them a crisis.
				const checked = verdict.kind === 'crisis' ? verdict : await this.moderateChildAfter(verdict, input.text, inner.signal)
				const final = checked.kind === 'ok' ? verdict : checked
				yield { type: 'transcript', text: input.text }
				return yield* this.respond(turn, final, mark)
			}
			typed = { text: input.text, model: this.moderateChild(input.text, inner.signal) }
		}

		const child = { ...input.child, lesson: ctx.progress?.episode.lessonGoal }
		const history = ctx.summary ? [memoryEntry(ctx.summary), ...input.history] : input.history
		const instructions = systemPrompt(child)
		meter.prompt(instructions.length + history.reduce((n, h) => n + h.text.length, 0) + (input.text?.length ?? 0))
		const safetyId = this.safetyId(ctx, input.session?.deviceId)
		const tools = allowedTools(input.tools, ctx.policy.allowedTools, this.log)
		// What the toy heard of the inner provider's own audio, without our lines (barge-in truncation).
		const timeline = new PlaybackTimeline()
		const gate = new AnswerGate({
			signal: input.signal,
			typed,
			checks: {
				child: (text) => {
					turn.childWords = text
					if (input.text === undefined) meter.prompt(text.length)
					const local = classifyChild(text)
					if (local.kind === 'crisis') return { local, model: Promise.resolve(local) }
					return { local: OK, model: this.moderateChildAfter(local, text, inner.signal) }
				},
				answer: (text) => {
					meter.answer(text)
					return this.checkAnswer(text, inner.signal, turn, safetyId)
				},
			},
			prefix: () => this.sayAll(turn, prefix.splice(0), mark),
			filler: () => this.speak(fixedLineTexts.thinking, { downlink: input.downlink }),
			fillerAfterMs: this.deps.fillerAfterMs ?? 2500,
			released: (ev, fromInner) => {
				meter.spoken(ev)
				timeline.note(ev, fromInner)
				if (fromInner) turn.heardAnswer = true
			},
		})
		const events = this.inner.answer({
			...input,
			child,
			instructions,
			history,
			tools,
			signal: inner.signal,
			playback: timeline.forInner(input.playback),
			usage: (used) => meter.provider(used),
			safetyId,
		})
		const end = yield* gate.run(events)
		if (input.signal.aborted || end.kind === 'aborted') return
		if (end.kind === 'answered') {
			if (end.released) turn.outcome = 'answered'
			return
		}
		// The rest of the answer is not wanted, but what was already released will be heard.
		timeline.stopInner()
		inner.abort()
		if (end.kind === 'child') return yield* this.respond(turn, end.verdict, mark)
		if (end.kind === 'unheard') {
			this.log.warn({ childId: input.child.id || undefined }, "the child's words could not be checked; the answer was not played")
			turn.outcome = 'unheard'
			return yield* this.say(turn, fixedLineTexts.fallback)
		}
		this.log.warn({ childId: input.child.id || undefined, reason: end.reason }, 'unsafe answer replaced by a redirect')
		turn.outcome = 'redirected'
		yield* this.say(turn, redirect)
	}

	/** The prefix lines, said once before the first sentence the child hears. */
	private async *sayAll(turn: Turn, lines: string[], mark: { introduced: boolean } | undefined): AsyncGenerator<ProviderEvent> {
		for (const line of lines) {
			for await (const ev of this.speak(line, { downlink: turn.input.downlink })) {
				if (turn.input.signal.aborted) return
				yield ev
			}
		}
		if (mark) mark.introduced = true
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

	/**
	 * Moderation of the child's words after the lists found no crisis. A redirect or the AI
	 * disclosure from the lists waits for it: a disclosure can hold an unsafe word ("he shows me
	 * naked videos") or a question about the toy, and then moderation's crisis verdict must win,
	 * with its reply and parent alert, over the lists' redirect.
	 */
	private async moderateChildAfter(local: ChildVerdict, text: string, signal: AbortSignal): Promise<ChildVerdict> {
		const model = await this.moderateChild(text, signal)
		return local.kind === 'ok' || model.kind === 'crisis' ? model : local
	}

	private async moderateChild(text: string, signal: AbortSignal): Promise<ChildVerdict> {
		const result = await this.deps.moderator.moderate(text, signal)
		if (!result.flagged) return OK
		const language = guessLanguage(text)
		const cats = result.categories
		if (cats.some((c) => c.startsWith('self-harm'))) return { kind: 'crisis', crisis: 'self_harm', language, source: 'moderation' }
		if (cats.includes('sexual/minors')) return { kind: 'crisis', crisis: 'abuse', language, source: 'moderation' }
		// ? Moderation has no "abuse" category: a child telling of being hit or threatened is flagged
		// violence or harassment/threatening. Asking how to do harm is flagged illicit as well, and is
		// not a disclosure. Who is hurt cannot be told from the categories, so the alert says danger.
		// Harmless look-alikes ("this game is killing me") are not flagged at all.
		const told = cats.includes('violence') || cats.includes('harassment/threatening')
		if (told && !cats.some((c) => c.startsWith('illicit'))) return { kind: 'crisis', crisis: 'danger', language, source: 'moderation' }
		return { kind: 'unsafe', language, source: 'moderation' }
	}

	/** An answer sentence: the local lists at once, then moderation and the answer policy side by side. */
	private async checkAnswer(text: string, signal: AbortSignal, turn: Turn, safetyId: string | undefined): Promise<AnswerVerdict> {
		if (!answerAllowed(text)) return { ok: false, reason: 'word-list' }
		const [moderation, policy] = await Promise.all([
			this.deps.moderator.moderate(text, signal),
			this.policy.classify(text, signal, { usage: (used) => turn.meter.check(used), safetyId }),
		])
		if (moderation.flagged) return { ok: false, reason: `moderation: ${moderation.categories.join(',')}` }
		if (policy.categories.length > 0) return { ok: false, reason: `policy (${policy.source}): ${policy.categories.join(',')}` }
		return { ok: true }
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
		// ? A child who interrupts the answer still said what they said, checked and answered in part:
		// it feeds memory and progress like a turn heard to the end.
		if (turn.outcome === 'none' && turn.heardAnswer) turn.outcome = 'answered'
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
