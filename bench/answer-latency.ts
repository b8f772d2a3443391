// What the gateway adds to the wait for an answer, measured through the real session engine and
// the answering stack as gateway.ts builds it (bench/lib/answer-stack.ts: SafeProvider from
// createSafety with local moderation, the resilient wrapper, fixed lines, a real store).
//
// 1. Answer path: the real pipeline provider (real `openai` SDK) against the fake OpenAI API on
//    loopback, one process, for a xiaozhi toy (Opus, 24 kHz, 60 ms); from the fake handing the
//    first speech byte to its socket to the first Opus frame leaving the session for the toy.
//    Both forms: the speech API's Ogg Opus (20 ms frames) repacketized into 60 ms packets, and
//    24 kHz PCM encoded by the gateway. Covers HTTP, the SDK stream, the safety layer's answer
//    checks, Ogg demux or PCM framing, encoding or repacketizing, and the pacer's first burst.
// 2. End of speech to first audio: the session's turn end to its first frame out, with a fake
//    provider that answers after a fixed latency; shown minus that latency. The same stack, and
//    the bare provider for comparison.
// p99 is the nearest-rank percentile; with n ≥ 200 it is never the largest sample (see `p99 < max`).
//
//   bun bench/answer-latency.ts [--turns 1000] [--eos-turns 300]
// Writes bench/results/answer-latency.{json,md}.

import type { Provider, ProviderEvent, TurnInput } from '../gateway/src/ai/provider'
import { type Codec, type CodecKind, loadCodec } from '../gateway/src/codec'
import type { DownlinkSpec } from '../gateway/src/session/downlink'
import { Session, type SessionSink } from '../gateway/src/session/session'
import { startFakeOpenAI } from '../test/support/fake-openai'
import { type AnswerForm, answerStack, type BenchStore, benchToy, log, openBenchStore } from './lib/answer-stack'
import { wholeArg } from './lib/args'
import { type Cell, commandLine, loadAverages, machine, machineLine, markdownTable, writeResults } from './lib/report'

const TURNS = wholeArg('turns', 1000)
const EOS_TURNS = wholeArg('eos-turns', 300)
const WARMUP = 10
const FIXED_LATENCY_MS = 100
const PROMPT = 'Tell me something about otters'
const ANSWER = 'Otters hold hands when they sleep.'
const XIAOZHI: DownlinkSpec = { format: 'opus', sampleRate: 24000, frameMs: 60 }

interface Stats {
	n: number
	p50: number
	p90: number
	p99: number
	mean: number
	max: number
	/** Whether p99 is below the largest sample, i.e. not just the maximum under another name. */
	p99BelowMax: boolean
}

function stats(ms: number[]): Stats {
	if (ms.length === 0) throw new Error('no samples')
	const s = [...ms].sort((a, b) => a - b)
	// nearest rank: the smallest sample with at least p of them at or below it
	const q = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)]
	const max = s[s.length - 1]
	return { n: s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length, max, p99BelowMax: q(0.99) < max }
}

/**
 * A session whose sink resolves on the first frame out, and says which sentence that frame began.
 * The safety layer introduces the bear on a session's first answer, and again on the next one
 * while the child has not heard the introduction to its end: `introduce()` plays one answer out,
 * so every timed turn starts with the provider's own sentence.
 */
function session(codec: Codec, provider: Provider, toy: { deviceId: string; child: { id: string; name: string; age: number } }) {
	let onFrame: ((t: number) => void) | undefined
	let onEnd: (() => void) | undefined
	let sentence = ''
	const sink: SessionSink = {
		transcript() {},
		speechStart() {},
		sentence(text) {
			sentence ||= text
		},
		audio() {
			const cb = onFrame
			onFrame = undefined
			cb?.(performance.now())
		},
		speechEnd() {
			onEnd?.()
		},
	}
	const s = new Session({ codec, provider, log, child: toy.child, deviceId: toy.deviceId, turnMaxMs: 30_000, downlink: XIAOZHI }, sink)
	const firstFrame = () => {
		sentence = ''
		return new Promise<{ at: number; sentence: string }>((resolve) => (onFrame = (at) => resolve({ at, sentence })))
	}
	const introduce = async (start: () => void) => {
		const ended = new Promise<void>((resolve) => (onEnd = resolve))
		start()
		await ended
		onEnd = undefined
	}
	return { s, firstFrame, introduce }
}

async function answerPath(bs: BenchStore, kind: CodecKind, form: AnswerForm, fakeUrl: string, requests: { path: string; firstByteAt?: number }[]) {
	const codec = loadCodec(kind)
	const stack = await answerStack(bs, codec, { form, baseURL: fakeUrl })
	const { s, firstFrame, introduce } = session(codec, stack.provider, await benchToy(bs.store))
	await introduce(() => s.say(PROMPT))
	const out: number[] = []
	for (let i = 0; i < TURNS + WARMUP; i++) {
		requests.length = 0
		const frame = firstFrame()
		s.say(PROMPT)
		const first = await frame
		// the speech request of this turn: an interrupted turn's late one may sit before it
		const speech = requests.findLast((r) => r.path === '/v1/audio/speech' && r.firstByteAt !== undefined && r.firstByteAt <= first.at)
		s.interrupt()
		// ! A first frame that was not the answer (a fixed line, a refusal) would time something else.
		if (first.sentence !== ANSWER || !speech?.firstByteAt) throw new Error(`${kind} ${form}: turn ${i} began with ${JSON.stringify(first.sentence)}, not the provider's answer`)
		if (i >= WARMUP) out.push(first.at - speech.firstByteAt)
	}
	s.close()
	await stack.close()
	return stats(out)
}

/** Answers after a fixed delay with 24 kHz PCM in 100 ms pieces, like a remote model. */
class FixedLatencyProvider implements Provider {
	readonly name = 'fixed-latency'
	private readonly piece = new Int16Array(2400).map((_, j) => Math.round(6000 * Math.sin(j / 8)))
	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		yield { type: 'transcript', text: 'can you tell me about otters' }
		await Bun.sleep(FIXED_LATENCY_MS)
		if (input.signal.aborted) return
		yield { type: 'sentence', text: ANSWER }
		for (let k = 0; k < 10 && !input.signal.aborted; k++) yield { type: 'audio', pcm: this.piece, sampleRate: 24000 }
	}
}

async function endOfSpeech(bs: BenchStore, kind: CodecKind, safe: boolean) {
	const codec = loadCodec(kind)
	const stack = safe ? await answerStack(bs, codec, { inner: new FixedLatencyProvider() }) : undefined
	const { s, firstFrame, introduce } = session(codec, stack?.provider ?? new FixedLatencyProvider(), await benchToy(bs.store))
	const speech = new Uint8Array(new Int16Array(16000).map((_, j) => Math.round(5000 * Math.sin(j / 6))).buffer)
	const turn = () => {
		s.beginListening('pcm16', 16000)
		s.pushAudio(speech)
		s.endListening()
	}
	await introduce(turn)
	const out: number[] = []
	for (let i = 0; i < EOS_TURNS + WARMUP; i++) {
		const frame = firstFrame()
		const t0 = performance.now()
		turn()
		const first = await frame
		s.interrupt()
		if (first.sentence !== ANSWER) throw new Error(`${kind} end of speech: turn ${i} began with ${JSON.stringify(first.sentence)}, not the provider's answer`)
		if (i >= WARMUP) out.push(first.at - t0 - FIXED_LATENCY_MS)
	}
	s.close()
	await stack?.close()
	return stats(out)
}

const m = machine()
const bs = await openBenchStore()
const answer: Record<string, Stats> = {}
const eos: Record<string, Stats> = {}
try {
	const fake = await startFakeOpenAI({ speech: 'tone', chatAnswer: ANSWER, speechChunkBytes: 4800 })
	try {
		for (const kind of ['native', 'fallback'] as const) {
			for (const form of ['ogg', 'pcm24'] as const) {
				console.error(`answer path: ${kind} ${form}…`)
				const label = form === 'ogg' ? 'speech API Ogg Opus 20 ms → repacketized 60 ms' : 'speech API PCM 24 kHz → encoded 60 ms'
				answer[`${kind}: ${label}`] = await answerPath(bs, kind, form, fake.url, fake.requests)
			}
		}
	} finally {
		await fake.stop()
	}
	for (const kind of ['native', 'fallback'] as const) {
		console.error(`end of speech: ${kind}…`)
		eos[`${kind}: bare provider`] = await endOfSpeech(bs, kind, false)
		eos[`${kind}: safety + resilient wrapper (as gateway.ts)`] = await endOfSpeech(bs, kind, true)
	}
} finally {
	// the temp store goes even when a turn was wrong
	await bs.close()
}
const loadAtEnd = loadAverages()

const rows = (r: Record<string, Stats>): Cell[][] =>
	Object.entries(r).map(([k, v]) => [k, String(v.n), v.p50, v.p90, v.p99, v.max, v.mean, v.p99BelowMax ? 'yes' : 'NO'])
const header = ['case', 'turns', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'mean ms', 'p99 < max']
const command = commandLine()
const busy = (m.busyAtStart ?? 0) > 20
const md = `# Answer latency added by the gateway
${busy ? `\n**Shared-machine run** (CPU ${m.busyAtStart}% busy at start): the figures show the method works, not what the code costs.\n` : ''}
${machineLine(m)}; load average ${m.loadavg.join(' ')} at start, ${loadAtEnd.join(' ')} at the end.

Command: \`${command}\`

Path measured: a Session for a xiaozhi toy (Opus, 24 kHz, 60 ms frames) over the answering stack as
gateway.ts builds it: SafeProvider (createSafety, moderation local: offline word lists and answer
patterns; its bookkeeping queued to an embedded PGlite store; daily token budget off, still
checked) → resilient wrapper → OpenAI
pipeline provider (real \`openai\` SDK). Typed turns, each interrupted at its first frame; the first
${WARMUP} turns of each case are not counted. p99 is nearest-rank.

## Provider's first speech byte → first Opus frame to the toy

Fake OpenAI API on loopback (same process), speech body in chunks of 4800 bytes (100 ms of 24 kHz
PCM, or the same bytes of Ogg Opus). The Ogg row is the stack exactly as createProvider makes it;
the PCM row gives the same wrapper a pipeline without the codec, so the gateway encodes.

${markdownTable(header, rows(answer), 2)}
## End of speech → first frame to the toy, minus the provider's ${FIXED_LATENCY_MS} ms

A fake provider that answers ${FIXED_LATENCY_MS} ms after the turn ends with 24 kHz PCM (encoded by the gateway); the
turn is 1 s of 16 kHz PCM.

${markdownTable(header, rows(eos), 2)}
`
const json = {
	bench: 'answer-latency',
	machine: m,
	loadavgAtEnd: loadAtEnd,
	command,
	pathMeasured: 'Session (xiaozhi opus 24 kHz 60 ms) → SafeProvider (createSafety, MODERATION=local, DAILY_TOKEN_BUDGET=0, PGlite store) → ResilientProvider → OpenAIPipelineProvider → fake OpenAI on loopback',
	turns: TURNS,
	eosTurns: EOS_TURNS,
	warmupTurns: WARMUP,
	fixedLatencyMs: FIXED_LATENCY_MS,
	percentile: 'nearest rank',
	answerPath: answer,
	endOfSpeechMinusFixedLatency: eos,
}
console.log(md)
for (const p of writeResults('answer-latency', json, md)) console.error(`wrote ${p}`)
process.exit(0)
