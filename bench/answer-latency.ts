// What the gateway adds to the wait for an answer, measured through the real session engine.
//
// 1. Answer path: the real pipeline provider (real `openai` SDK) against the fake OpenAI API on
//    loopback, one process; from the fake handing the first speech byte to its socket to the
//    first Opus frame leaving the session for the toy. Covers HTTP, SDK stream, PCM grouping or
//    Ogg demux, resampling, encoding (or pass-through) and the pacer's first burst.
// 2. End of speech to first audio: the session's turn end to its first frame out, with a fake
//    provider that answers after a fixed latency; shown raw and minus that latency. With and
//    without the resilient wrapper (timers, races) around it.
//
//   bun bench/answer-latency.ts [--turns 200]
// Writes bench/results/answer-latency.{json,md}.

import { OpenAIPipelineProvider } from '../gateway/src/ai/openai-pipeline'
import { FixedLines } from '../gateway/src/ai/fixed-lines'
import { OfflineProvider } from '../gateway/src/ai/offline'
import type { Provider, ProviderEvent, TurnInput } from '../gateway/src/ai/provider'
import { ResilientProvider } from '../gateway/src/ai/resilient-provider'
import { type Codec, type CodecKind, loadCodec } from '../gateway/src/codec'
import { createLogger } from '../gateway/src/obs/logger'
import { Session, type SessionSink } from '../gateway/src/session/session'
import type { DownlinkFormat } from '../gateway/src/session/downlink'
import { startFakeOpenAI } from '../test/support/fake-openai'
import { type Cell, machine, machineLine, markdownTable, writeResults } from './lib/report'

const arg = (name: string, fallback: number) => {
	const i = process.argv.indexOf(`--${name}`)
	return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const TURNS = arg('turns', 200)
const FIXED_LATENCY_MS = 100
const log = createLogger('silent')

interface Stats {
	n: number
	p50: number
	p99: number
	mean: number
	max: number
}

function stats(ms: number[]): Stats {
	const s = [...ms].sort((a, b) => a - b)
	const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]
	return { n: s.length, p50: q(0.5), p99: q(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length, max: s[s.length - 1] }
}

type Downlink = { format: DownlinkFormat; sampleRate: 16000 | 24000; frameMs: number }

/** A session whose sink resolves on the first frame out. */
function session(codec: Codec, provider: Provider, downlink: Downlink) {
	let onFrame: ((t: number) => void) | undefined
	const sink: SessionSink = {
		transcript() {},
		speechStart() {},
		sentence() {},
		audio() {
			const cb = onFrame
			onFrame = undefined
			cb?.(performance.now())
		},
		speechEnd() {},
	}
	const s = new Session({ codec, provider, log, child: { id: 'c', name: 'Ada', age: 7 }, deviceId: 'bench', turnMaxMs: 30_000, downlink }, sink)
	const firstFrame = () => new Promise<number>((resolve) => (onFrame = resolve))
	return { s, firstFrame }
}

async function answerPath(kind: CodecKind, opus: boolean, downlink: Downlink, fakeUrl: string, requests: { path: string; firstByteAt?: number }[]) {
	const codec = loadCodec(kind)
	const provider = new OpenAIPipelineProvider({ apiKey: 'k', baseURL: fakeUrl, maxRetries: 0, codec: opus ? codec : undefined })
	const { s, firstFrame } = session(codec, provider, downlink)
	const out: number[] = []
	for (let i = 0; i < TURNS + 10; i++) {
		requests.length = 0
		const frame = firstFrame()
		s.say('Tell me something')
		const t1 = await frame
		const speech = requests.find((r) => r.path === '/v1/audio/speech')
		s.interrupt()
		if (i >= 10 && speech?.firstByteAt) out.push(t1 - speech.firstByteAt)
	}
	s.close()
	return stats(out)
}

/** Answers after a fixed delay with 24 kHz PCM in 100 ms pieces, like a remote model. */
class FixedLatencyProvider implements Provider {
	readonly name = 'fixed-latency'
	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		yield { type: 'transcript', text: 'hello' }
		await Bun.sleep(FIXED_LATENCY_MS)
		if (input.signal.aborted) return
		yield { type: 'sentence', text: 'Hello there!' }
		for (let k = 0; k < 10 && !input.signal.aborted; k++) {
			yield { type: 'audio', pcm: new Int16Array(2400).map((_, j) => Math.round(6000 * Math.sin(j / 8))), sampleRate: 24000 }
		}
	}
}

async function endOfSpeech(kind: CodecKind, wrapped: boolean) {
	const codec = loadCodec(kind)
	let provider: Provider = new FixedLatencyProvider()
	if (wrapped) {
		const lines = new FixedLines({ codec })
		await lines.warm()
		provider = new ResilientProvider({ primary: provider, fallback: new OfflineProvider(), lines })
	}
	const { s, firstFrame } = session(codec, provider, { format: 'opus', sampleRate: 24000, frameMs: 60 })
	const speech = new Uint8Array(new Int16Array(16000).map((_, j) => Math.round(5000 * Math.sin(j / 6))).buffer)
	const out: number[] = []
	const turns = Math.min(TURNS, 100)
	for (let i = 0; i < turns + 5; i++) {
		s.beginListening('pcm16', 16000)
		s.pushAudio(speech)
		const frame = firstFrame()
		const t0 = performance.now()
		s.endListening()
		const t1 = await frame
		s.interrupt()
		if (i >= 5) out.push(t1 - t0)
	}
	s.close()
	return stats(out)
}

const m = machine()
const fake = await startFakeOpenAI({ speech: 'tone', chatAnswer: 'Hello there, friend.', speechChunkBytes: 4800 })
const answer: Record<string, Stats> = {}
for (const kind of ['native', 'fallback'] as const) {
	answer[`${kind}: pcm → xiaozhi opus 24k`] = await answerPath(kind, false, { format: 'opus', sampleRate: 24000, frameMs: 60 }, fake.url, fake.requests)
	answer[`${kind}: pcm → seed opus 16k (resample)`] = await answerPath(kind, false, { format: 'opus', sampleRate: 16000, frameMs: 60 }, fake.url, fake.requests)
	answer[`${kind}: ogg opus pass-through 16k`] = await answerPath(kind, true, { format: 'opus', sampleRate: 16000, frameMs: 60 }, fake.url, fake.requests)
	answer[`${kind}: ogg opus pass-through 24k`] = await answerPath(kind, true, { format: 'opus', sampleRate: 24000, frameMs: 60 }, fake.url, fake.requests)
}
await fake.stop()

const eos: Record<string, Stats> = {}
for (const kind of ['native', 'fallback'] as const) {
	eos[`${kind}: bare provider`] = await endOfSpeech(kind, false)
	eos[`${kind}: resilient wrapper`] = await endOfSpeech(kind, true)
}

const rows = (r: Record<string, Stats>, minus = 0): Cell[][] =>
	Object.entries(r).map(([k, v]) => [k, String(v.n), v.p50 - minus, v.p99 - minus, v.mean - minus, v.max - minus])
const header = ['case', 'turns', 'p50 ms', 'p99 ms', 'mean ms', 'max ms']
const md = `# Answer latency added by the gateway

${machineLine(m)}

Command: \`bun bench/answer-latency.ts --turns ${TURNS}\`

## Provider's first speech byte → first Opus frame to the toy

Real pipeline provider and SDK against the fake OpenAI API on loopback (same process); speech body
in 100 ms chunks (4800 bytes of 24 kHz PCM, or the Ogg Opus equivalent).

${markdownTable(header, rows(answer), 2)}
## End of speech → first frame to the toy (fake provider answering after ${FIXED_LATENCY_MS} ms)

Gateway share (raw minus the provider's fixed ${FIXED_LATENCY_MS} ms):

${markdownTable(header, rows(eos, FIXED_LATENCY_MS), 2)}
`
const json = { bench: 'answer-latency', machine: m, turns: TURNS, fixedLatencyMs: FIXED_LATENCY_MS, answerPath: answer, endOfSpeechRaw: eos }
console.log(md)
for (const p of writeResults('answer-latency', json, md)) console.log(`wrote ${p}`)
process.exit(0)
