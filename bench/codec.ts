// Codec micro-benchmark: per-frame cost of the audio work the gateway does, at its production
// settings (bench/lib/codec-ops.ts lists them), for three paths on the same input:
//   native   the Rust module through N-API, as the gateway runs it
//   fallback opusscript + TypeScript
//   direct   the same Rust code called from Rust (native/core/examples/codec_direct.rs), no N-API
// Interleaved: every round times each op on each path, the paths in an order that rotates from
// round to round, so drift in the machine's load hits all of them alike. Reported: the median and
// spread over rounds, and native/direct per round, which is the N-API and wrapper overhead.
//
//   bun bench/codec.ts [--rounds 15] [--scale 1]     (--rounds 3 --scale 0.1 for a quick check)
// Writes bench/results/codec.json (machine, commit, command, every round) and codec.md.

import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fallbackCodec } from '../gateway/src/codec/fallback'
import { loadNativeCodec, nativeCodecLoadError } from '../gateway/src/codec/native'
import type { Codec } from '../gateway/src/codec/types'
import { makeCodecInput, UPLINK_FRAME } from './lib/codec-input'
import { codecOps, Digest, DIRECT_OPS, DOWNLINK_BPS, ITERATIONS, LOAD_STEP_OPS, type Op, type OpRun, OPS, timeOp } from './lib/codec-ops'
import { type DirectCodec, startDirectCodec } from './lib/direct-codec'
import { type Cell, commandLine, loadAverages, machine, machineLine, markdownTable, type Spread, spread, writeResults } from './lib/report'

const ROOT = join(import.meta.dir, '..')
const ASSET = join(ROOT, 'bench', 'assets', 'speech-16k.opuspackets')
const ALLOC_CALLS = 10000

const arg = (name: string, fallback: number) => {
	const i = process.argv.indexOf(`--${name}`)
	const v = i > 0 ? Number(process.argv[i + 1]) : fallback
	if (!(v > 0)) throw new Error(`--${name} wants a positive number`)
	return v
}
const ROUNDS = Math.round(arg('rounds', 15))
const SCALE = arg('scale', 1)

type Path = 'native' | 'fallback' | 'direct'
const PATHS: Path[] = ['native', 'fallback', 'direct']

/** Audio each op's iteration stands for, in ms (×RT = how many real-time streams one core keeps up with). */
const AUDIO_MS: Partial<Record<Op, number>> = {
	decode: 60,
	vad: 60,
	'resample 16k→24k': 60,
	'encode c5 wb': 60,
	'encode c3 wb': 60,
	'encode c1 wb': 60,
	'encode c5 fb': 60,
	'encode c1 fb': 60,
	'resample 24k→16k': 60,
	'repacketize 3×20 ms': 60,
	'mp3 encode 240 ms': 240,
}

const notes: string[] = []

interface AllocFigures {
	heapBytesPerCall: number
	arrayBufferBytesPerCall: number
}

/** Heap growth over many decodes into one reused buffer, with no forced GC in between. */
function allocations(codec: Codec, packets: Uint8Array[]): AllocFigures {
	const dec = codec.createDecoder(16000)
	const out = new Int16Array(UPLINK_FRAME)
	for (let k = 0; k < 200; k++) dec.decode(packets[k % packets.length], out)
	Bun.gc(true)
	const m0 = process.memoryUsage()
	for (let k = 0; k < ALLOC_CALLS; k++) dec.decode(packets[k % packets.length], out)
	const m1 = process.memoryUsage()
	dec.free()
	return {
		heapBytesPerCall: (m1.heapUsed - m0.heapUsed) / ALLOC_CALLS,
		arrayBufferBytesPerCall: (m1.arrayBuffers - m0.arrayBuffers) / ALLOC_CALLS,
	}
}

/**
 * What native/direct says about the N-API overhead, given its spread over rounds. The IQR decides,
 * not the range: on a busy machine one disturbed round stretches the range across 1.0 for anything.
 */
function verdict(r: Spread): string {
	if (r.min >= 1) return '≥ 1.0 every round'
	if (r.q1 >= 1) return '≥ 1.0 (IQR above 1.0)'
	if (r.q3 >= 1) return '1.0 within IQR: equal within noise'
	return `${r.max < 1 ? '< 1.0 every round' : 'IQR below 1.0'}: re-run quiet; if it stays, the paths differ`
}

interface OpSummary {
	iterations: number
	native?: Spread
	fallback?: Spread
	direct?: Spread
	nativeOverDirect?: Spread & { perRound: number[]; verdict: string }
	nativeOverFallback?: Spread
}

const fmtSpread = (s: Spread | undefined, digits = 1) => (s ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : null)

async function main(): Promise<void> {
	const m = machine()
	if ((m.busyAtStart ?? 0) > 20) notes.push(`CPU ${m.busyAtStart}% busy at start: other processes shared the cores, figures are noisy`)
	const native = loadNativeCodec()
	if (!native) notes.push(`native: not loaded (${String(nativeCodecLoadError())}); run \`bun run build:native\``)
	// ? The input is made by the codec being measured (or the fallback without it); direct reads the same files.
	const input = await makeCodecInput(native ?? fallbackCodec, ASSET)

	const inProcess: Partial<Record<Path, Record<Op, OpRun>>> = { fallback: codecOps(fallbackCodec, input) }
	if (native) inProcess.native = codecOps(native, input)
	let direct: DirectCodec | undefined
	try {
		direct = await startDirectCodec(input.dir)
	} catch (e) {
		notes.push(`direct: skipped (${(e as Error).message})`)
	}
	const has = (path: Path, op: Op) => (path === 'direct' ? direct !== undefined && DIRECT_OPS.includes(op) : inProcess[path] !== undefined)

	// ? Before anything is timed, on fresh state: the native and direct paths must produce the same
	//   bytes from the same input, or native/direct would compare different work.
	const sameOutput: Partial<Record<Op, boolean>> = {}
	if (inProcess.native && direct) {
		for (const op of DIRECT_OPS) {
			const n = Math.min(ITERATIONS[op], 100)
			const d = new Digest()
			await inProcess.native[op](n, d)
			sameOutput[op] = d.hash === (await direct.digest(op, n))
			if (!sameOutput[op]) notes.push(`${op}: native and direct outputs differ over the first ${n} iterations, so native/direct is not overhead alone`)
		}
	}

	const perRound: Record<Path, Partial<Record<Op, number[]>>> = { native: {}, fallback: {}, direct: {} }
	const iterations = Object.fromEntries(OPS.map((op) => [op, Math.max(1, Math.round(ITERATIONS[op] * SCALE))])) as Record<Op, number>
	for (let r = 0; r < ROUNDS; r++) {
		console.error(`round ${r + 1}/${ROUNDS}…`)
		for (const [o, op] of OPS.entries()) {
			// ? Rotated by round and by op, so no path is always first (cold) or last after the slowest.
			const order = PATHS.map((_, k) => PATHS[(k + r + o) % PATHS.length])
			const n = iterations[op]
			const warmup = Math.max(1, Math.round(n / 5))
			for (const path of order) {
				if (!has(path, op)) continue
				const us = path === 'direct' ? await direct!.time(op, n, warmup) : await timeOp(inProcess[path]![op], n, warmup)
				;(perRound[path][op] ??= []).push(us)
			}
		}
	}
	direct?.close()
	rmSync(input.dir, { recursive: true, force: true })
	const alloc: Partial<Record<'native' | 'fallback', AllocFigures>> = { fallback: allocations(fallbackCodec, input.uplink) }
	if (native) alloc.native = allocations(native, input.uplink)
	const loadAtEnd = loadAverages()

	const stat = (path: Path, op: Op) => (perRound[path][op] ? spread(perRound[path][op]!) : undefined)
	const ratios = (a: Path, b: Path, op: Op) => {
		const x = perRound[a][op]
		const y = perRound[b][op]
		return x && y ? x.map((v, i) => v / y[i]) : undefined
	}
	const summary = {} as Record<Op, OpSummary>
	for (const op of OPS) {
		const nd = ratios('native', 'direct', op)
		const nf = ratios('native', 'fallback', op)
		summary[op] = {
			iterations: iterations[op],
			native: stat('native', op),
			fallback: stat('fallback', op),
			direct: stat('direct', op),
			nativeOverDirect: nd && { perRound: nd, ...spread(nd), verdict: sameOutput[op] === false ? 'outputs differ: not overhead' : verdict(spread(nd)) },
			nativeOverFallback: nf && spread(nf),
		}
	}

	const med = (path: Path, op: Op) => summary[op][path]?.median
	const perCore = (...us: (number | undefined)[]) => (us.every((x) => x !== undefined) ? 60_000 / (us as number[]).reduce((a, b) => a + b, 0) : undefined)
	const toys = Object.fromEntries(
		PATHS.map((p) => [
			p,
			{
				ingestUs: med(p, 'decode') !== undefined && med(p, 'vad') !== undefined ? med(p, 'decode')! + med(p, 'vad')! : undefined,
				ingestToysPerCore: perCore(med(p, 'decode'), med(p, 'vad')),
				answerToysPerCore: Object.fromEntries(LOAD_STEP_OPS.map((op) => [op, perCore(med(p, op))])),
			},
		]),
	)

	const overheadOps = DIRECT_OPS.filter((op) => op !== 'mp3 encode 240 ms' && summary[op].nativeOverDirect)
	const below = overheadOps.filter((op) => summary[op].nativeOverDirect!.q3 < 1)
	const overheadLine = overheadOps.length
		? `N-API overhead (median native/direct): ${overheadOps.map((op) => `${op} ×${summary[op].nativeOverDirect!.median.toFixed(2)}`).join(', ')}. ${below.length ? `IQR below 1.0: ${below.join(', ')}; on a quiet machine that would mean the two paths do not do the same work.` : 'Every op reads ≥ 1.0 within its spread (IQR).'}`
		: 'N-API overhead: not measured (the native module or the direct example is missing).'
	const command = commandLine()
	const json = {
		bench: 'codec',
		machine: m,
		loadavgAtEnd: loadAtEnd,
		command,
		pathsMeasured: {
			native: native ? 'gateway/src/codec/native.ts → N-API → teddy_core (release, LTO), as the gateway runs it' : null,
			fallback: 'gateway/src/codec/fallback.ts: opusscript (libopus in WebAssembly) + TypeScript resampler, energy VAD, LAME in WebAssembly',
			direct: direct ? 'native/core/examples/codec_direct.rs: teddy_core called from Rust (release, LTO), driven over stdin' : null,
		},
		settings: {
			uplink: 'decode 16 kHz mono 60 ms packets; VAD = codec.createVad(16000) defaults per 60 ms frame (native: Silero + pitch; fallback: energy scorer)',
			downlink: `encode 24 kHz mono 60 ms, voip, ${DOWNLINK_BPS / 1000} kbit/s, at each load step of session/downlink.ts ENCODE_STEPS (${LOAD_STEP_OPS.join(', ')}; wb = band capped at 8 kHz as the downlink codes, fb = no cap), and c5 fb and c1 fb, the steps before the cap`,
			input: `bench/assets/speech-16k.opuspackets: ${input.uplink.length} packets of recorded speech, looped; decoded and resampled once by the ${native ? 'native' : 'fallback'} codec and read by all three paths`,
		},
		rounds: ROUNDS,
		scale: SCALE,
		unit: 'µs per iteration (per 60 ms frame unless the op says otherwise; token verify per call)',
		method: 'each round: every op on every path in rotating order; each timing = warm-up of iterations/5 untimed, then iterations timed; state kept across rounds',
		napiOverhead: overheadLine,
		sameOutput,
		results: summary,
		perRound,
		toysPerCore: toys,
		allocations: { calls: ALLOC_CALLS, op: 'decode into a reused Int16Array', ...alloc },
		notes,
	}

	const opRows: Cell[][] = OPS.map((op) => {
		const s = summary[op]
		const ms = AUDIO_MS[op]
		return [
			op,
			String(s.native ? iterations[op] : '—'),
			fmtSpread(s.native),
			fmtSpread(s.fallback),
			fmtSpread(s.direct),
			ms && s.native ? String(Math.floor((ms * 1000) / s.native.median)) : null,
			s.nativeOverFallback?.median.toFixed(2),
		]
	})
	const overheadRows: Cell[][] = DIRECT_OPS.map((op) => {
		const r = summary[op].nativeOverDirect
		const same = sameOutput[op]
		return [op, same === undefined ? null : same ? 'yes' : 'NO', r?.median.toFixed(3), r && `${r.min.toFixed(3)}–${r.max.toFixed(3)}`, r && `${r.q1.toFixed(3)}–${r.q3.toFixed(3)}`, r?.verdict]
	})
	const toyRows: Cell[][] = PATHS.map((p) => [
		p,
		toys[p].ingestUs,
		toys[p].ingestToysPerCore === undefined ? null : String(Math.floor(toys[p].ingestToysPerCore)),
		...LOAD_STEP_OPS.map((op) => {
			const v = toys[p].answerToysPerCore[op]
			return v === undefined ? null : String(Math.floor(v))
		}),
	])
	const allocRows: Cell[][] = (['native', 'fallback'] as const).map((p) => [p, alloc[p]?.heapBytesPerCall, alloc[p]?.arrayBufferBytesPerCall])
	const md = [
		'# Codec benchmark',
		'',
		...((m.busyAtStart ?? 0) > 20 ? [`**Shared-machine run** (CPU ${m.busyAtStart}% busy at start): the figures show the method works, not what the code costs.`, ''] : []),
		`Machine: ${machineLine(m)}; load average ${m.loadavg.join(' ')} at start, ${loadAtEnd.join(' ')} at the end.`,
		'',
		`Command: \`${command}\``,
		'',
		`Paths: native = the gateway's codec (N-API into the Rust core); fallback = opusscript + TypeScript; direct = the same Rust core called from Rust (\`native/core/examples/codec_direct.rs\`), same input files, same buffers and settings. Production settings: uplink decode 16 kHz mono 60 ms, VAD as the session runs it (native Silero + pitch, fallback energy scorer) per 60 ms frame; downlink encode 24 kHz mono 60 ms at ${DOWNLINK_BPS / 1000} kbit/s, voip, at each load step's complexity (${LOAD_STEP_OPS.map((op) => op.slice('encode '.length)).join(', ')}; wb = audio band capped at 8 kHz, as the downlink codes, so Opus uses SILK alone), and c5 fb and c1 fb (no cap: hybrid SILK + CELT), the steps before the cap. Input: ${input.uplink.length} packets of recorded speech, looped.`,
		'',
		`Method: ${ROUNDS} rounds; in each, every op runs on every path in an order that rotates by round and op; each timing is ${SCALE === 1 ? '' : `(scale ${SCALE}) `}a warm-up of a fifth of its iterations, then the iterations shown. Figures: median (min–max) over rounds, µs per iteration; ×RT = audio ms / cost = real-time streams one core sustains (native).`,
		'',
		markdownTable(['operation', 'iterations', 'native µs', 'fallback µs', 'direct µs', 'native ×RT', 'native/fallback'], opRows, 1),
		'## N-API overhead: native / direct per round',
		'',
		'Both sides do the same work on the same input, so the ratio is what N-API and the TypeScript wrapper add; "same output" is checked before timing: the hash of what each produced over its first iterations (up to 100) from fresh state. Each round pairs a native and a direct timing taken seconds apart. MP3 is not a pure overhead figure: natively it is an awaited hop to an encode thread and back (the gateway path), directly LAME alone.',
		'',
		markdownTable(['operation', 'same output', 'median', 'min–max', 'IQR', 'reads as'], overheadRows, 3),
		overheadLine,
		'',
		'## Talking toys per core',
		'',
		'Ingest = decode + VAD per 60 ms frame (what a listening xiaozhi toy costs); answer = one 24 kHz 60 ms encode per frame at each load step. Toys = 60 000 / µs (one core, nothing else running), from the medians. The fallback runs the cheaper energy scorer as its VAD, so its ingest is not the same work.',
		'',
		markdownTable(['path', 'ingest µs', 'ingest toys/core', ...LOAD_STEP_OPS.map((op) => `answer ${op.slice('encode '.length)} toys/core`)], toyRows, 1),
		'## Allocations (rough)',
		'',
		`Growth of \`process.memoryUsage()\` over ${ALLOC_CALLS} decodes into one reused Int16Array, after \`Bun.gc(true)\` and with no GC forced in between. A collection during the loop would hide garbage, so these are lower bounds. The ArrayBuffer column is the usable signal: bytes of typed-array storage created per call. The JS-heap column is coarse in Bun: small wrapper objects often do not move \`heapUsed\` at all, so a 0 there does not prove a call creates no JS objects.`,
		'',
		markdownTable(['path', 'JS heap bytes/call', 'ArrayBuffer bytes/call'], allocRows, 1),
		...(notes.length ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
	].join('\n')

	const written = writeResults('codec', json, md)
	console.log(md)
	console.error(`wrote ${written.join(', ')}`)
}

await main()
