// Codec micro-benchmark: per-frame cost of everything the gateway does to audio, for the Rust
// module through N-API ("native"), opusscript + TypeScript ("fallback"), and libopus called
// straight from Rust ("direct", the physical limit). Same input for all: recorded speech,
// 16 kHz mono, 60 ms Opus frames, looped; the downlink rows re-encode it as the speech API sends
// it (48 kHz, 20 ms packets). Not a test: `bun bench/codec.ts`.
// Writes bench/results/codec.json (machine, commit, every figure) and codec.md.

import { join } from 'node:path'
import { fallbackCodec } from '../gateway/src/codec/fallback'
import { loadNativeCodec, nativeCodecLoadError } from '../gateway/src/codec/native'
import { Resampler as TsResampler, resample } from '../gateway/src/codec/resample'
import type { Codec } from '../gateway/src/codec/types'
import { DOWNLINK_OPS, type DownlinkOp, downlinkOps, speechApiPackets } from './lib/downlink-ops'
import { loadPackets } from './lib/packets'
import { type Cell, machine, machineLine, markdownTable, medianMicros, writeResults } from './lib/report'
import { makeV2Token } from './lib/token'

const ROOT = join(import.meta.dir, '..')
const ASSET = join(ROOT, 'bench', 'assets', 'speech-16k.opuspackets')
const FRAME_MS = 60
const FRAME = 960 // 60 ms at 16 kHz
const DECODE_FRAMES = 3000
const ENCODE_FRAMES = 500
const DSP_FRAMES = 3000
const TOKEN_CALLS = 20000
const ALLOC_CALLS = 10000

type Path = 'native' | 'fallback' | 'direct'
const PATHS: Path[] = ['native', 'fallback', 'direct']

type Op = 'decode' | 'encode c0' | 'encode c5' | 'encode c10' | 'resample 16k→24k' | 'resample 24k→16k' | 'vad' | 'token verify'
const OPS: Op[] = ['decode', 'encode c0', 'encode c5', 'encode c10', 'resample 16k→24k', 'resample 24k→16k', 'vad', 'token verify']
type Figures = Partial<Record<Op, number>>

// ? The DSP half of the Codec interface is being added alongside this bench; it is looked up
//   at run time so the bench runs (and says what it skipped) against either version.
interface DspResampler {
	process(input: Int16Array, output: Int16Array): number
	maxOutput(inputLen: number): number
}
interface DspCodec {
	createResampler?: (inRate: number, outRate: number) => DspResampler
	createVad?: (sampleRate: number) => { process(frame: Int16Array): number }
}

const notes: string[] = []

function frames(pcm: Int16Array, size: number): Int16Array[] {
	const out: Int16Array[] = []
	for (let at = 0; at + size <= pcm.length; at += size) out.push(pcm.slice(at, at + size))
	return out
}

function decodeAll(codec: Codec, packets: Uint8Array[]): Int16Array {
	const dec = codec.createDecoder(16000)
	const pcm = new Int16Array(packets.length * FRAME)
	const out = new Int16Array(FRAME)
	packets.forEach((p, i) => pcm.set(out.subarray(0, dec.decode(p, out)), i * FRAME))
	return pcm
}

/** One resample step of a 60 ms frame, or null when this path has no resampler. */
function resampleStep(codec: Codec, inRate: number, outRate: number): ((frame: Int16Array) => void) | null {
	const dsp = codec as unknown as DspCodec
	if (typeof dsp.createResampler === 'function') {
		const r = dsp.createResampler(inRate, outRate)
		// ? maxOutput depends on what is buffered, which changes per call: size for the worst case.
		const out = new Int16Array(2 * Math.ceil((outRate * FRAME_MS) / 1000) + 64)
		return (frame) => void r.process(frame, out)
	}
	if (codec.kind === 'fallback') {
		notes.push(`fallback resample ${inRate}→${outRate}: TS Resampler (allocates its output per call); Codec has no createResampler yet`)
		const r = new TsResampler(inRate, outRate)
		return (frame) => void r.process(frame)
	}
	notes.push(`native resample ${inRate}→${outRate}: skipped, the native Codec has no createResampler`)
	return null
}

function bench(codec: Codec, packets: Uint8Array[], speech16: Int16Array[], speech24: Int16Array[]): Figures {
	const f: Figures = {}
	const out = new Int16Array(FRAME)
	const dec = codec.createDecoder(16000)
	let i = 0
	f.decode = medianMicros(DECODE_FRAMES, (n) => {
		for (let k = 0; k < n; k++) dec.decode(packets[i++ % packets.length], out)
	})

	const packet = new Uint8Array(1500)
	for (const c of [0, 5, 10] as const) {
		const enc = codec.createEncoder(16000, 1, 'voip')
		enc.setComplexity(c)
		let j = 0
		f[`encode c${c}`] = medianMicros(ENCODE_FRAMES, (n) => {
			for (let k = 0; k < n; k++) enc.encode(speech16[j++ % speech16.length], packet)
		})
	}

	for (const [op, from, to, input] of [
		['resample 16k→24k', 16000, 24000, speech16],
		['resample 24k→16k', 24000, 16000, speech24],
	] as const) {
		const step = resampleStep(codec, from, to)
		if (!step) continue
		let j = 0
		f[op] = medianMicros(DSP_FRAMES, (n) => {
			for (let k = 0; k < n; k++) step(input[j++ % input.length])
		})
	}

	const dsp = codec as unknown as DspCodec
	if (typeof dsp.createVad === 'function') {
		const vad = dsp.createVad(16000)
		let j = 0
		f.vad = medianMicros(DSP_FRAMES, (n) => {
			for (let k = 0; k < n; k++) vad.process(speech16[j++ % speech16.length])
		})
	} else {
		notes.push(`${codec.kind} VAD: skipped, the Codec has no createVad`)
	}

	const secret = 'a'.repeat(64)
	const verifier = codec.createTokenVerifier(secret)
	const tokens = Array.from({ length: 64 }, (_, k) => makeV2Token(secret, `teddy-${k}`))
	let j = 0
	f['token verify'] = medianMicros(TOKEN_CALLS, (n) => {
		for (let k = 0; k < n; k++) {
			const t = j++ % tokens.length
			if (!verifier.verify(`teddy-${t}`, tokens[t])) throw new Error('token bench: a valid token was refused')
		}
	})
	return f
}

interface AllocFigures {
	heapBytesPerCall: number
	arrayBufferBytesPerCall: number
}

/** Heap growth over many decodes into one reused buffer, with no forced GC in between. */
function allocations(codec: Codec, packets: Uint8Array[]): AllocFigures {
	const dec = codec.createDecoder(16000)
	const out = new Int16Array(FRAME)
	for (let k = 0; k < 200; k++) dec.decode(packets[k % packets.length], out)
	Bun.gc(true)
	const m0 = process.memoryUsage()
	for (let k = 0; k < ALLOC_CALLS; k++) dec.decode(packets[k % packets.length], out)
	const m1 = process.memoryUsage()
	return {
		heapBytesPerCall: (m1.heapUsed - m0.heapUsed) / ALLOC_CALLS,
		arrayBufferBytesPerCall: (m1.arrayBuffers - m0.arrayBuffers) / ALLOC_CALLS,
	}
}

function direct(): { codec: Figures; downlink: Partial<Record<DownlinkOp, number>> } | null {
	const r = Bun.spawnSync(['cargo', 'run', '-q', '--release', '--example', 'codec_direct', '--', ASSET], {
		cwd: join(ROOT, 'native'),
		stderr: 'pipe',
	})
	if (!r.success) {
		notes.push(`direct: cargo example failed, skipped (${r.stderr.toString().trim().split('\n').pop()})`)
		return null
	}
	const d = JSON.parse(r.stdout.toString()) as { decodeUs: number; encodeUs: Record<string, number>; downlinkUs: Record<DownlinkOp, number> }
	return {
		codec: { decode: d.decodeUs, 'encode c0': d.encodeUs['0'], 'encode c5': d.encodeUs['5'], 'encode c10': d.encodeUs['10'] },
		downlink: d.downlinkUs,
	}
}

const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a / b : undefined)
const realtime = (op: Op, us?: number) => (us === undefined || op === 'token verify' ? undefined : (FRAME_MS * 1000) / us)
const sum = (...xs: (number | undefined)[]) => (xs.every((x) => x !== undefined) ? xs.reduce((a = 0, b = 0) => a + b, 0) : undefined)

async function main(): Promise<void> {
	const m = machine()
	if ((m.busyAtStart ?? 0) > 20) notes.push(`CPU ${m.busyAtStart}% busy at start: other processes shared the cores, figures are noisy`)
	const packets = await loadPackets(ASSET)
	const pcm16 = decodeAll(fallbackCodec, packets)
	const speech16 = frames(pcm16, FRAME)
	const speech24 = frames(resample(pcm16, 16000, 24000), 1440)
	const native = loadNativeCodec()
	if (!native) notes.push(`native: not loaded (${String(nativeCodecLoadError())}); run \`bun run build:native\``)

	const results: Partial<Record<Path, Figures>> = {}
	const downlink: Partial<Record<Path, Partial<Record<DownlinkOp, number>>>> = {}
	const alloc: Partial<Record<'native' | 'fallback', AllocFigures>> = {}
	const packets20 = speechApiPackets(fallbackCodec, pcm16)
	for (const codec of [native, fallbackCodec]) {
		if (!codec) continue
		console.error(`benchmarking ${codec.kind}…`)
		results[codec.kind] = bench(codec, packets, speech16, speech24)
		downlink[codec.kind] = await downlinkOps(codec, packets20, pcm16)
		alloc[codec.kind] = allocations(codec, packets)
	}
	console.error('benchmarking direct (cargo example)…')
	const d = direct()
	results.direct = d?.codec
	downlink.direct = d?.downlink

	const ingest = Object.fromEntries(
		PATHS.map((p) => {
			const r = results[p]
			const us = sum(r?.decode, r?.['resample 16k→24k'], r?.vad)
			return [p, us === undefined ? null : { usPerFrame: us, toysPerCore: (FRAME_MS * 1000) / us }]
		}),
	)
	const answer = Object.fromEntries(
		PATHS.map((p) => {
			const us = results[p]?.['encode c5']
			return [p, us === undefined ? null : { usPerFrame: us, toysPerCore: (FRAME_MS * 1000) / us }]
		}),
	)

	const json = {
		bench: 'codec',
		machine: m,
		input: { asset: 'bench/assets/speech-16k.opuspackets', packets: packets.length, rate: 16000, frameMs: FRAME_MS },
		unit: 'µs per 60 ms frame (token verify: µs per call); median of 7 runs after 1 warm-up',
		iterations: { decode: DECODE_FRAMES, encode: ENCODE_FRAMES, dsp: DSP_FRAMES, token: TOKEN_CALLS },
		results,
		downlink: { unit: 'µs per 60 ms of answer; speech re-encoded as the speech API sends it (48 kHz, 20 ms packets)', ...downlink },
		toysPerCore: { ingest, answer },
		allocations: { calls: ALLOC_CALLS, op: 'decode into a reused Int16Array', ...alloc },
		notes,
	}

	const rows: Cell[][] = OPS.map((op) => {
		const [n, fb, d] = PATHS.map((p) => results[p]?.[op])
		return [op, n, fb, d, realtime(op, n), realtime(op, fb), realtime(op, d), ratio(n, fb)?.toFixed(2), ratio(n, d)?.toFixed(2)]
	})
	const toyRows: Cell[][] = PATHS.map((p) => [
		p,
		ingest[p]?.usPerFrame,
		ingest[p] ? String(Math.floor(ingest[p].toysPerCore)) : null,
		answer[p]?.usPerFrame,
		answer[p] ? String(Math.floor(answer[p].toysPerCore)) : null,
	])
	const downlinkRows: Cell[][] = DOWNLINK_OPS.map((op) => {
		const [n, fb, dd] = PATHS.map((p) => downlink[p]?.[op])
		return [op, n, fb, dd, ratio(n, downlink.native?.['transcode 3×20 ms c5'])?.toFixed(3)]
	})
	const allocRows: Cell[][] = (['native', 'fallback'] as const).map((p) => [
		p,
		alloc[p]?.heapBytesPerCall,
		alloc[p]?.arrayBufferBytesPerCall,
	])
	const md = [
		'# Codec benchmark',
		'',
		`Machine: ${machineLine(m)}.`,
		`Input: ${packets.length} packets of recorded speech (16 kHz mono, 60 ms), looped. µs per 60 ms frame, median of 7 runs after a warm-up; ×RT = 60 000 µs / cost, i.e. real-time streams one core sustains. Ratios < 1 mean native is faster; native/direct is the N-API and wrapper overhead.`,
		'',
		markdownTable(
			['operation', 'native µs', 'fallback µs', 'direct µs', 'native ×RT', 'fallback ×RT', 'direct ×RT', 'native/fallback', 'native/direct'],
			rows,
			1,
		),
		'## Downlink: per 60 ms of answer',
		'',
		"The speech API sends 20 ms Opus frames; a toy takes 60 ms packets. Repacketize joins three frames into one packet (no decode, no encode: what the gateway does now); transcode decodes them at a toy's 24 kHz and encodes one 60 ms frame (what it did before, at complexity 0 or 5 by load). MP3 is a seed toy's answer: LAME at 22.05 kHz, 32 kbit/s, fed 240 ms at a time; native runs it on an encode thread, so its figure is the wall time of an awaited call (thread hop included), direct is LAME's own cost. The last column is each native cost over native transcode c5.",
		'',
		markdownTable(['path (per 60 ms)', 'native µs', 'fallback µs', 'direct µs', 'native / transcode c5'], downlinkRows, 1),
		'## Talking toys per core',
		'',
		'Ingest = decode + resample 16k→24k + VAD per 60 ms frame; answer = encode at complexity 5 per 60 ms frame. Toys = 60 000 / µs (one core, nothing else running). The direct path has no resampler or VAD, so its ingest is not given.',
		'',
		markdownTable(['path', 'ingest µs', 'ingest toys/core', 'answer µs', 'answer toys/core'], toyRows, 1),
		'## Allocations (rough)',
		'',
		`Growth of \`process.memoryUsage()\` over ${ALLOC_CALLS} decodes into one reused Int16Array, after \`Bun.gc(true)\` and with no GC forced in between. A collection during the loop would hide garbage, so these are lower bounds. The ArrayBuffer column is the usable signal: it counts the bytes of typed-array storage created per call (0 for both now: the fallback reads opusscript's PCM through one cached view of its heap; its own wrapper returned a fresh Buffer per decode). The JS-heap column is coarse in Bun: small wrapper objects often do not move \`heapUsed\` at all, so a 0 there does not prove a call creates no JS objects.`,
		'',
		markdownTable(['path', 'JS heap bytes/call', 'ArrayBuffer bytes/call'], allocRows, 1),
		...(notes.length ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
	].join('\n')

	const written = writeResults('codec', json, md)
	console.log(md)
	console.error(`wrote ${written.join(', ')}`)
}

await main()
