// What a child hears, before and after a change, in the fake OpenAI APIs' scripted scenarios: the
// gateway's answering stack (safety → resilient wrapper → pipeline or Realtime provider, moderation
// on the fake, fixed lines from the Opus cache) driven through a real Session and pacer, once with
// this tree's code and once with another commit's, turn by turn in one run (the machine is shared,
// so the two are compared under the same load).
//
// Per scenario: first audio (end of the child's turn → first frame), when the answer itself began,
// silences after the first frame (the toy's buffer ran dry), and how much of a flagged sentence the
// toy received before the redirect. Each measured turn follows a warm-up turn in the same session,
// so the session's one-time introduction is not in the figures.
//
//   eval "$(bash scripts/services.sh)" && bun bench/child-hears.ts --before d381235 [--reps 3]
// Writes bench/results/child-hears.{json,md}.

import { randomBytes, randomUUID } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openTestDatabase } from '../test/support/databases'
import { type FakeBehaviour, startFakeOpenAI } from '../test/support/fake-openai'
import { type FakeRealtimeBehaviour, startFakeRealtime } from '../test/support/fake-openai-realtime'
import { hearing } from '../test/support/hearing'
import type { Heard } from '../test/support/recording-session'
import { scriptedPolicy } from '../test/support/scripted-policy'
import { type Cell, machine, machineLine, markdownTable, writeResults } from './lib/report'

const arg = (name: string) => {
	const i = process.argv.indexOf(`--${name}`)
	return i > 0 ? process.argv[i + 1] : undefined
}
const REPS = Number(arg('reps') ?? 3)
const BEFORE = arg('before') ?? 'd381235'
const ROOT = join(import.meta.dir, '..')

interface Scenario {
	name: string
	mode: 'pipeline' | 'realtime'
	/** What the child says: typed, or one second of speech (Realtime transcription then runs). */
	turn: 'typed' | 'spoken'
	rest?: Partial<FakeBehaviour>
	rt?: Partial<FakeRealtimeBehaviour>
	ai?: { firstAudioTimeoutMs?: number; upstreamTimeoutMs?: number; retries?: number }
	/** The warm-up turn fails and opens the circuit (threshold 1), as after an outage. */
	openCircuit?: boolean
	/** A sentence moderation flags: how much of it reached the toy before the redirect. */
	flagged?: string
	note: string
}

const STORY = 'Dragons are big and very friendly. They love to bake cookies for everyone. The end.'
const FLAGGED = 'Then the dragon will kill the knight with fire.'
const mod = (ms: number) => ({ moderations: { firstByteMs: ms } })

const scenarios: Scenario[] = [
	{ name: 'pipeline, moderation 300 ms', mode: 'pipeline', turn: 'typed', rest: { chatAnswer: STORY, delays: mod(300) }, note: 'a normal turn' },
	{ name: 'pipeline, moderation 1.5 s', mode: 'pipeline', turn: 'typed', rest: { chatAnswer: STORY, delays: mod(1500) }, note: 'slow moderation: silence between sentences?' },
	{ name: 'realtime, moderation 300 ms', mode: 'realtime', turn: 'typed', rest: { delays: mod(300) }, rt: { answer: STORY, betweenChunksMs: 33 }, note: 'answer generated at 3x real time' },
	{
		name: 'realtime, transcript 1.5 s late',
		mode: 'realtime',
		turn: 'spoken',
		rest: { delays: mod(300) },
		rt: { answer: STORY, transcript: 'Tell me about dragons', transcriptDelayMs: 1500 },
		note: "the child's words arrive after the whole answer",
	},
	{
		name: 'realtime, 2nd sentence flagged',
		mode: 'realtime',
		turn: 'typed',
		rest: { delays: mod(300), flaggedWords: { kill: 'violence' } },
		rt: { answer: `Dragons are big and very friendly. ${FLAGGED} The end.`, betweenChunksMs: 33 },
		flagged: FLAGGED,
		note: 'the redirect must come before any of it',
	},
	{
		name: 'pipeline, chat 2.5 s, moderation dead',
		mode: 'pipeline',
		turn: 'typed',
		rest: { chatAnswer: STORY, delays: { ...mod(10_000), 'chat/completions': { firstByteMs: 2500 } } },
		ai: { firstAudioTimeoutMs: 1200, upstreamTimeoutMs: 4000 },
		note: '"let me think" due at 1.2 s',
	},
	{
		name: 'pipeline, chat dead, moderation dead',
		mode: 'pipeline',
		turn: 'typed',
		rest: { chatAnswer: STORY, delays: { ...mod(10_000), 'chat/completions': { firstByteMs: 10_000 } } },
		ai: { firstAudioTimeoutMs: 1200, upstreamTimeoutMs: 4000, retries: 0 },
		note: 'fallback line due at 4 s',
	},
	{
		name: 'circuit open, moderation dead',
		mode: 'pipeline',
		turn: 'typed',
		rest: { chatAnswer: STORY, delays: mod(10_000) },
		openCircuit: true,
		note: 'the offline bear answers',
	},
]

// ---------------------------------------------------------------------------------------------
// The code under test, loaded from a tree: this one, or an older commit unpacked beside it.

// ? Modules of another commit: typed by what they export there, not here.
type Mod = any

async function loadTree(root: string) {
	const m = (p: string): Promise<Mod> => import(join(root, 'gateway/src', p))
	const [session, resilient, offline, pipeline, realtime, fixedLines, moderation, safe, speakFixed, alerts, codecMod, store, breaker, logger] = await Promise.all(
		['session/session', 'ai/resilient-provider', 'ai/offline', 'ai/openai-pipeline', 'ai/openai-realtime', 'ai/fixed-lines', 'safety/moderation', 'safety/safe-provider', 'safety/speak-fixed', 'safety/parent-alerts', 'codec/index', 'store/index', 'ai/circuit-breaker', 'obs/logger'].map(m),
	)
	const policyMod: Mod | undefined = existsSync(join(root, 'gateway/src/safety/answer-policy.ts')) ? await m('safety/answer-policy') : undefined
	// The answer proper is any sentence that is not one of the gateway's own lines.
	const own = [...Object.values((await m('ai/fixed-lines')).fixedLineTexts), ...Object.values((await m('ai/offline-lines')).offlineLines).flat()] as string[]
	const isOwn = (text: string) => own.some((line) => text === line || text.startsWith(line.split('{')[0]))
	const codec = codecMod.loadCodec()
	const lines = new fixedLines.FixedLines({ codec })
	await lines.warm()
	const opened = await openTestDatabase('postgres')
	await store.migrate(opened.db.sql)
	const db = store.createStore(opened.db, new store.FieldCipher(randomBytes(32)))
	// A breaker that moderation can share exists only where moderation takes one.
	const shares = 'blocked' in breaker.CircuitBreaker.prototype
	return { isOwn, session, resilient, offline, pipeline, realtime, moderation, safe, speakFixed, alerts, breaker, logger, policyMod, codec, lines, db, opened, shares }
}
type Tree = Awaited<ReturnType<typeof loadTree>>

function prepareBefore(commit: string): string {
	const dir = mkdtempSync(join(tmpdir(), 'teddy-before-'))
	const tar = Bun.spawnSync(['sh', '-c', `git -C ${ROOT} archive ${commit} | tar -x -C ${dir}`])
	if (!tar.success) throw new Error(`git archive ${commit} failed: ${tar.stderr.toString()}`)
	symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
	for (const f of ['index.js', 'index.d.ts', 'teddy-native.linux-x64-gnu.node']) {
		if (existsSync(join(ROOT, 'native', f))) copyFileSync(join(ROOT, 'native', f), join(dir, 'native', f))
	}
	return dir
}

// ---------------------------------------------------------------------------------------------

const rest = await startFakeOpenAI({ speech: 'tone', structured: scriptedPolicy({}) })
const rt = await startFakeRealtime()
const quiet = { firstAudioMs: 0, betweenChunksMs: 0, chunkMs: 100, transcriptDelayMs: 5, transcriptFails: false }

async function runOnce(tree: Tree, s: Scenario) {
	const threshold = s.openCircuit ? 1 : 3
	const circuit = tree.shares ? new tree.breaker.CircuitBreaker({ failureThreshold: threshold, cooldownMs: 60_000 }) : undefined
	const primary =
		s.mode === 'realtime'
			? new tree.realtime.OpenAIRealtimeProvider({ apiKey: 'test', baseURL: rt.url, codec: tree.codec })
			: new tree.pipeline.OpenAIPipelineProvider({ apiKey: 'test', baseURL: rest.url, codec: tree.codec, maxRetries: 0 })
	const resilient = new tree.resilient.ResilientProvider({
		primary,
		fallback: new tree.offline.OfflineProvider(),
		lines: tree.lines,
		...s.ai,
		breaker: circuit ?? { failureThreshold: threshold, cooldownMs: 60_000 },
	})
	const policy = tree.policyMod ? new tree.policyMod.AnswerPolicy(new tree.policyMod.OpenAIPolicyClassifier({ apiKey: 'test', baseURL: rest.url, circuit })) : undefined
	const child = await tree.db.children.upsertFromSeed({ externalId: randomUUID(), name: 'Mia', age: 6 })
	const safe = new tree.safe.SafeProvider(resilient, {
		store: tree.db.safety,
		alerts: new tree.alerts.ParentAlerts(tree.db.safety.alerts, undefined),
		moderator: new tree.moderation.OpenAIModerator({ apiKey: 'test', baseURL: rest.url, circuit }),
		policy,
		defaults: { timezone: 'UTC', dailyTokenBudget: 0, dailyLimitMinutes: 0, quietHours: null, playReminderMinutes: 180 },
		speak: tree.speakFixed.cachedFixed(tree.lines),
		fillerAfterMs: s.ai?.firstAudioTimeoutMs,
	})
	const timeline: Heard[] = []
	const calls: string[] = []
	const note = (h: Heard) => {
		timeline.push(h)
		calls.push(h.kind === 'sentence' || h.kind === 'transcript' ? `${h.kind}:${h.text}` : h.kind)
	}
	const session = new tree.session.Session(
		{ codec: tree.codec, provider: safe, log: tree.logger.createLogger('silent'), child: { id: child.id, name: 'Mia', age: 6 }, deviceId: `bench-${randomUUID().slice(0, 8)}`, turnMaxMs: 30_000, downlink: { format: 'opus', sampleRate: 16000, frameMs: 60 } },
		{
			transcript: (text: string) => note({ t: performance.now(), kind: 'transcript', text }),
			speechStart: () => note({ t: performance.now(), kind: 'start' }),
			sentence: (text: string) => note({ t: performance.now(), kind: 'sentence', text }),
			audio: () => note({ t: performance.now(), kind: 'frame' }),
			speechEnd: () => note({ t: performance.now(), kind: 'stop' }),
		},
	)
	const until = async (cond: () => boolean, ms = 25_000) => {
		const end = Date.now() + ms
		while (!cond() && Date.now() < end) await Bun.sleep(10)
	}

	// Warm-up: the session's introduction (and, for the outage, the failure that opens the circuit).
	rest.setBehaviour({ flaggedWords: {}, delays: {}, chatAnswer: 'Hello there, my friend.', transcript: 'Hello' })
	rt.setBehaviour({ ...quiet, answer: 'Hello there, my friend.' })
	if (s.openCircuit) rest.failNext({ route: 'chat/completions', status: 500, count: 5 })
	session.say('Hello')
	await until(() => calls.filter((c) => c.startsWith('sentence:')).length >= 2 || calls.includes('stop'))
	await Bun.sleep(300)
	session.interrupt()
	await Bun.sleep(300)

	rest.setBehaviour({ flaggedWords: {}, delays: {}, chatAnswer: STORY, transcript: 'Tell me about dragons', ...s.rest })
	rt.setBehaviour({ ...quiet, ...s.rt })
	const from = timeline.length
	let t0: number
	if (s.turn === 'typed') {
		t0 = performance.now()
		session.say('Tell me about dragons')
	} else {
		session.beginListening('pcm16', 16000)
		for (let i = 0; i < 17; i++) session.pushAudio(new Uint8Array(new Int16Array(960).map((_, j) => Math.round(6000 * Math.sin((i * 960 + j) / 4))).buffer))
		t0 = performance.now()
		session.endListening()
	}
	await until(() => timeline.slice(from).some((h) => h.kind === 'stop'))
	session.close()
	primary.close?.()
	const turn = timeline.slice(from)
	const heard = hearing(turn, t0)
	const sentences = turn.filter((h) => h.kind === 'sentence').map((h) => (h as { text: string }).text)
	const firstAnswer = sentences.find((t) => !tree.isOwn(t))
	const redirected = sentences.find((t) => t.startsWith("Hmm, let's talk about something else"))
	return {
		firstAudioMs: heard.firstAudioMs,
		answerAtMs: firstAnswer ? heard.sentenceAt(firstAnswer) : undefined,
		thinkingAtMs: heard.sentenceAt('Hmm, let me think.'),
		fallbackAtMs: heard.sentenceAt('Oops, my ears got a bit fuzzy. Can you say that again?'),
		silenceMs: heard.gaps.reduce((a, b) => a + b, 0),
		longestGapMs: heard.longestGapMs,
		// Both fakes speak 60 ms a character: what came after the first sentence's share was the flagged one's.
		flaggedHeardMs: s.flagged && redirected ? Math.max(0, heard.audioBetween('Dragons are big and very friendly.', redirected) - 35 * 60) : undefined,
		sentences,
	}
}

type Result = Awaited<ReturnType<typeof runOnce>>
const median = (xs: Array<number | undefined>): number | undefined => {
	const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
	return v.length ? v[Math.floor(v.length / 2)] : undefined
}

const m = machine()
const beforeDir = prepareBefore(BEFORE)
const trees = { before: await loadTree(beforeDir), after: await loadTree(ROOT) }
const results: Record<string, { before: Result[]; after: Result[] }> = {}
for (const s of scenarios) {
	results[s.name] = { before: [], after: [] }
	for (let r = 0; r < REPS; r++) {
		// Alternate which goes first, so neither always meets a warmer or busier machine.
		const order = r % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const)
		for (const which of order) {
			results[s.name][which].push(await runOnce(trees[which], s))
			console.error(`${s.name} ${which} ${r + 1}/${REPS}: ${JSON.stringify(results[s.name][which].at(-1))}`)
		}
	}
}
await Promise.all([trees.before.opened.cleanup(), trees.after.opened.cleanup()])
rmSync(beforeDir, { recursive: true, force: true })
await rt.stop()
await rest.stop()

const metrics: Array<[keyof Result, string]> = [
	['firstAudioMs', 'first audio'],
	['answerAtMs', 'answer starts'],
	['thinkingAtMs', '"let me think"'],
	['fallbackAtMs', 'fallback line'],
	['silenceMs', 'silence after first audio'],
	['longestGapMs', 'longest silence'],
	['flaggedHeardMs', 'flagged sentence heard'],
]
const rows: Cell[][] = []
const summary: Record<string, Record<string, { before?: number; after?: number }>> = {}
for (const s of scenarios) {
	summary[s.name] = {}
	for (const [key, label] of metrics) {
		const before = median(results[s.name].before.map((r) => r[key] as number | undefined))
		const after = median(results[s.name].after.map((r) => r[key] as number | undefined))
		if (before === undefined && after === undefined) continue
		summary[s.name][key] = { before, after }
		rows.push([s.name, label, before, after])
	}
}
const md = `# What the child hears: before and after

${machineLine(m)} (the machine is shared with other work; both columns were measured in the same run, alternating)

Command: \`bun bench/child-hears.ts --before ${BEFORE} --reps ${REPS}\` — "before" is commit ${BEFORE}, "after" is this tree.

The gateway's stack (safety → resilient wrapper → provider) on the fake OpenAI APIs, through a real
Session and pacer; medians of ${REPS} turns, ms from the end of the child's turn. Each measured turn
follows a warm-up turn, so the session's introduction is not in it. "Silence" is time after the
first frame when the toy had nothing to play; "flagged sentence heard" is audio of the flagged
sentence the toy received before the redirect. A blank means it did not happen (no filler needed,
no answer heard).

${scenarios.map((s) => `- **${s.name}**: ${s.note}`).join('\n')}

${markdownTable(['scenario', 'figure', 'before ms', 'after ms'], rows, 0)}
Sentences the toy heard, first run of each:

${scenarios.map((s) => `- ${s.name}: before ${JSON.stringify(results[s.name].before[0]?.sentences)}; after ${JSON.stringify(results[s.name].after[0]?.sentences)}`).join('\n')}
`
console.log(md)
for (const p of writeResults('child-hears', { bench: 'child-hears', machine: m, before: BEFORE, reps: REPS, summary, runs: results }, md)) console.log(`wrote ${p}`)
process.exit(0)
