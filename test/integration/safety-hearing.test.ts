import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { FixedLines, fixedLineTexts } from '../../gateway/src/ai/fixed-lines'
import { loadCodec } from '../../gateway/src/codec'
import { crisisReply, redirect, sessionIntro } from '../../gateway/src/safety/fixed-lines'
import { createStore, FieldCipher, migrate, type Store } from '../../gateway/src/store/index'
import { type OpenedTestDatabase, openTestDatabase } from '../support/databases'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { type FakeRealtime, startFakeRealtime } from '../support/fake-openai-realtime'
import { hearing } from '../support/hearing'
import type { Heard } from '../support/recording-session'
import { safeToy, speak, until, flushWrites } from '../support/safe-stack'

// What a child hears when the safety layer sits on a real provider, through a real Session and
// pacer: the Realtime and the pipeline provider against the fake OpenAI APIs (real `openai` SDK),
// moderation against the fake's /v1/moderations. Audio of a sentence must never reach the toy
// before that sentence's text has passed, and no answer audio before the child's words have.

const codec = loadCodec()
const lines = new FixedLines({ codec })
let opened: OpenedTestDatabase
let store: Store
let rest: FakeOpenAI
let rt: FakeRealtime
const closers: Array<() => Promise<void>> = []
const sessions: Array<{ close(): void }> = []

beforeAll(async () => {
	opened = await openTestDatabase('postgres')
	await migrate(opened.db.sql)
	store = createStore(opened.db, new FieldCipher(randomBytes(32)), randomBytes(32).toString('hex'))
	rest = await startFakeOpenAI({ speech: 'tone' })
	rt = await startFakeRealtime()
	await lines.warm()
})
afterAll(async () => {
	for (const close of closers) await close()
	await rt?.stop()
	await rest?.stop()
	await flushWrites()
	await opened?.cleanup()
})
afterEach(() => {
	// What a test has seen is decided; the rest of the answer need not play out.
	for (const s of sessions.splice(0)) s.close()
})
beforeEach(() => {
	rest.requests.length = 0
	rest.setBehaviour({ flaggedWords: {}, delays: {} })
	rt.setBehaviour({ firstAudioMs: 0, betweenChunksMs: 0, chunkMs: 100, transcriptDelayMs: 5, transcriptFails: false })
})

/** The gateway's stack on the fakes, with a recording Session in front. */
async function toy(mode: 'realtime' | 'pipeline', opts: { firstAudioTimeoutMs?: number } = {}) {
	const rec = await safeToy({ mode, codec, lines, store, sql: opened.db.sql, rest, rt, made: (p) => closers.push(async () => p.close?.()), ...opts })
	sessions.push(rec.session)
	return rec
}

const FIRST = 'Dragons are big and very friendly.'
const FLAGGED = 'Then the dragon will kill the knight with fire.'
const STORY = `${FIRST} ${FLAGGED} The end.`
// Both fakes speak 60 ms of audio per character of text.
const FIRST_MS = (FIRST.length + 1) * 60

describe('no audio of a sentence before its text passed', () => {
	for (const mode of ['realtime', 'pipeline'] as const) {
		test(`${mode}: not one frame of a flagged sentence is heard before the redirect`, async () => {
			rt.setBehaviour({ answer: STORY, betweenChunksMs: 40 })
			rest.setBehaviour({ chatAnswer: STORY, flaggedWords: { kill: 'violence' } })
			const { session, calls, timeline } = await toy(mode)
			const t0 = performance.now()
			session.say('Tell me a dragon story')
			await until(() => calls.includes(`sentence:${redirect}`))
			const sentences = calls.filter((c) => c.startsWith('sentence:')).map((c) => c.slice(9))
			expect(sentences).toEqual([sessionIntro, FIRST, redirect])
			// What the toy got between the first sentence and the redirect is at most that sentence.
			expect(hearing(timeline, t0).audioBetween(FIRST, redirect)).toBeLessThanOrEqual(FIRST_MS + 120)
		}, 30_000)
	}
})

describe("the child's words are checked before any answer is heard", () => {
	test('realtime, transcript after the response: the crisis line, and nothing of the answer', async () => {
		// The whole answer is generated at once; the child's words arrive a second later.
		rt.setBehaviour({ answer: 'That sounds like a fun day! Tell me more about it, please.', transcript: 'Sometimes I want to kill myself', transcriptDelayMs: 1000 })
		const { session, calls, child } = await toy('realtime')
		speak(session)
		await until(() => calls.includes(`sentence:${crisisReply('en')}`))
		const sentences = calls.filter((c) => c.startsWith('sentence:')).map((c) => c.slice(9))
		expect(sentences).toEqual([crisisReply('en')])
		expect(calls).toContain('transcript:Sometimes I want to kill myself')
		expect(await store.safety.alerts.listForChild(child.id)).toHaveLength(1)
	}, 30_000)

	test('realtime, transcript very late: a short filler, then the crisis line, and nothing of the answer', async () => {
		rt.setBehaviour({ answer: 'That sounds like a fun day! Tell me more about it, please.', transcript: 'Sometimes I want to kill myself', transcriptDelayMs: 3000 })
		const { session, calls, timeline } = await toy('realtime', { firstAudioTimeoutMs: 1200 })
		const t0 = speak(session)
		await until(() => calls.includes(`sentence:${crisisReply('en')}`))
		const sentences = calls.filter((c) => c.startsWith('sentence:')).map((c) => c.slice(9))
		// the session's introduction and a filler fill the wait for the child's words
		expect(sentences).toEqual([sessionIntro, fixedLineTexts.thinking, crisisReply('en')])
		expect(hearing(timeline, t0).sentenceAt(fixedLineTexts.thinking)).toBeGreaterThanOrEqual(1200)
	}, 30_000)

	test('realtime, transcript late but harmless: the answer plays once the words are checked', async () => {
		rt.setBehaviour({ answer: 'That sounds like a fun day! Tell me more about it, please.', transcript: 'I went to the zoo today', transcriptDelayMs: 800 })
		const { session, calls, timeline } = await toy('realtime')
		const t0 = speak(session)
		await until(() => calls.includes('stop'))
		const sentences = calls.filter((c) => c.startsWith('sentence:')).map((c) => c.slice(9))
		expect(sentences).toEqual([sessionIntro, 'That sounds like a fun day!', 'Tell me more about it, please.'])
		const t = calls.indexOf('transcript:I went to the zoo today')
		expect(t).toBeGreaterThanOrEqual(0)
		// the child's words reached the toy before any of the answer did
		expect(t).toBeLessThan(calls.indexOf('sentence:That sounds like a fun day!'))
		expect(hearing(timeline, t0).sentenceAt('That sounds like a fun day!')).toBeGreaterThanOrEqual(800)
	}, 30_000)

	test('realtime, transcription failed: the answer is not played unchecked; the toy asks again', async () => {
		rt.setBehaviour({ answer: 'That sounds like a fun day! Tell me more about it, please.', transcriptFails: true })
		const { session, calls } = await toy('realtime')
		speak(session)
		await until(() => calls.includes('stop'))
		const sentences = calls.filter((c) => c.startsWith('sentence:')).map((c) => c.slice(9))
		expect(sentences).toEqual([fixedLineTexts.fallback])
	}, 30_000)

	test('pipeline, words flagged only by a slow moderation: the crisis line, and nothing of the answer', async () => {
		rest.setBehaviour({
			transcript: 'I wish I could disappear forever',
			chatAnswer: 'Me too! Disappearing sounds fun.',
			flaggedWords: { 'disappear forever': 'self-harm/intent' },
			delays: { moderations: { firstByteMs: 700 } },
		})
		const { session, calls } = await toy('pipeline')
		speak(session)
		await until(() => calls.includes(`sentence:${crisisReply('en')}`))
		const sentences = calls.filter((c) => c.startsWith('sentence:')).map((c) => c.slice(9))
		expect(sentences).toEqual([crisisReply('en')])
	}, 30_000)
})

/** ms of the answer the toy had played by `at`: frames play back to back from arrival, 60 ms each. */
function answerPlayedBy(timeline: readonly Heard[], firstSentence: string, at: number): number {
	let playing = 0
	let answer = false
	let played = 0
	for (const h of timeline) {
		if (h.kind === 'sentence' && h.text === firstSentence) answer = true
		if (h.kind !== 'frame' || h.t > at) continue
		const start = Math.max(h.t, playing)
		playing = start + 60
		if (answer) played += Math.max(0, Math.min(60, at - start))
	}
	return played
}

describe('barge-in on a Realtime answer', () => {
	const OPENING = 'Hello there, my friend!'
	const LONG = `${OPENING} Once upon a time there was a little dragon who loved cookies very much. Every morning the dragon baked a big tray of cookies for all the animals in the forest.`

	test('cancels the response and truncates it to what the toy played, not counting fixed lines or held audio', async () => {
		// Generated in real time, so the response is still going when the child interrupts; the
		// first sentence is held back by a slow moderation, after the session's introduction.
		rt.setBehaviour({ answer: LONG, betweenChunksMs: 100 })
		rest.setBehaviour({ delays: { moderations: { firstByteMs: 500 } } })
		const n = rt.connections.length
		const { session, calls, timeline } = await toy('realtime')
		session.say('Tell me a story')
		await until(() => calls.includes(`sentence:${OPENING}`))
		await Bun.sleep(1500)
		const at = performance.now()
		session.beginListening('pcm16', 16000)
		const conn = rt.connections[n]
		await until(() => conn.received.some((e) => e.type === 'conversation.item.truncate'))
		await Bun.sleep(100)
		const types = conn.received.map((e) => e.type)
		expect(types).toContain('response.cancel')
		const truncate = conn.received.find((e) => e.type === 'conversation.item.truncate') as Record<string, number>
		const played = answerPlayedBy(timeline, OPENING, at)
		expect(played).toBeGreaterThan(1000)
		expect(Math.abs(truncate.audio_end_ms - played)).toBeLessThanOrEqual(150)
		// the model's memory of its answer ends where the child stopped hearing it
		const item = conn.items.find((i) => i.role === 'assistant')!
		expect(item.truncatedAt).toBe(truncate.audio_end_ms)
	}, 30_000)

	test('an answer generated long before it plays is still cut at what the toy played', async () => {
		rt.setBehaviour({ answer: LONG, betweenChunksMs: 0 })
		const n = rt.connections.length
		const { session, calls, timeline } = await toy('realtime')
		session.say('Tell me a story')
		await until(() => calls.includes(`sentence:${OPENING}`))
		await Bun.sleep(1200)
		const at = performance.now()
		session.interrupt()
		const conn = rt.connections[n]
		await until(() => conn.received.some((e) => e.type === 'conversation.item.truncate'))
		const truncate = conn.received.find((e) => e.type === 'conversation.item.truncate') as Record<string, number>
		const played = answerPlayedBy(timeline, OPENING, at)
		expect(Math.abs(truncate.audio_end_ms - played)).toBeLessThanOrEqual(150)
		expect(conn.items.find((i) => i.role === 'assistant')!.audioMs).toBeGreaterThan(played + 5000)
		expect(conn.received.map((e) => e.type)).toContain('response.cancel')
	}, 30_000)
})
