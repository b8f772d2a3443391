// What the downlink's encode settings cost in speech quality, to set against what they save in
// CPU (bench/codec.ts): the gateway's load steps (ENCODE_STEPS in session/downlink.ts, in its
// DOWNLINK_BAND_HZ) and the settings around them. Spoken sentences (espeak-ng, several voices, rendered at 22.05 kHz and
// resampled to the toy's 24 kHz as provider PCM is) are encoded in 60 ms frames at 24 kbit/s,
// voip, as the downlink does, then decoded at 24 kHz as the toy does. Quality is PESQ wideband
// (ITU-T P.862.2, the `pesq` package on PyPI: `pip install pesq`), reference and decoded both
// resampled to 16 kHz: it scores the 50-7000 Hz speech band, so it shows what complexity and the
// 8 kHz band cap do to the speech itself, not what the full band adds above 8 kHz.
//
//   bun bench/encode-quality.ts
// Writes bench/results/encode-quality.{json,md}.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { synthesize } from '../gateway/src/ai/tts-espeak'
import { loadCodec, type OpusBandwidth } from '../gateway/src/codec'
import { DOWNLINK_BAND_HZ, ENCODE_STEPS } from '../gateway/src/session/downlink'
import { commandLine, machine, machineLine, markdownTable, writeResults } from './lib/report'

const TOY_RATE = 24000
const FRAME = 1440
const SENTENCES: Array<[string, string]> = [
	['en-us', 'Once upon a time, a little bear found a red balloon in the forest.'],
	['en-us+f3', 'Do you know why the sky is blue during the day?'],
	['en-gb', 'Let us count the stars together: one, two, three, four, five.'],
	['en-us+m3', 'Elephants are the biggest animals that live on land.'],
	['en-us+f4', 'What would you like to play next, a game or a story?'],
	['en-gb+f2', 'Brush your teeth, put on your pyjamas, and then it is time for bed.'],
]

interface Setting {
	name: string
	complexity: number
	bandHz: OpusBandwidth
	loadStep?: string
}
const steps = ENCODE_STEPS.map((s, i) => ({ complexity: s.complexity, loadStep: i === 0 ? `up to ${s.upTo} answers a thread` : Number.isFinite(s.upTo) ? `up to ${s.upTo}` : 'beyond' }))
const isStep = (c: number, band: number) => (band === DOWNLINK_BAND_HZ ? steps.find((s) => s.complexity === c)?.loadStep : undefined)
const SETTINGS: Setting[] = [
	[5, 20000],
	[3, 20000],
	[1, 20000],
	[5, 8000],
	[3, 8000],
	[1, 8000],
	[0, 8000],
].map(([complexity, bandHz]) => ({
	name: `c${complexity} ${bandHz === 8000 ? 'wb' : 'fb'}`,
	complexity: complexity!,
	bandHz: bandHz as OpusBandwidth,
	loadStep: isStep(complexity!, bandHz!),
}))

const codec = loadCodec('native')

function resample(pcm: Int16Array, from: number, to: number): Int16Array {
	const r = codec.createResampler(from, to)
	const out = new Int16Array(r.maxOutput(pcm.length) + r.maxFlush() + 64)
	const n = r.process(pcm, out)
	const tail = new Int16Array(r.maxFlush())
	const m = r.flush(tail)
	out.set(tail.subarray(0, m), n)
	return out.slice(0, n + m)
}

/** Encoded as the downlink does, decoded as the toy does; returns the decoded PCM and bytes per second. */
function roundTrip(pcm: Int16Array, s: Setting): { decoded: Int16Array; kbps: number; configs: number[] } {
	const enc = codec.createEncoder(TOY_RATE, 1, 'voip')
	enc.setBitrate(24_000)
	enc.setComplexity(s.complexity)
	enc.setMaxBandwidth(s.bandHz)
	const dec = codec.createDecoder(TOY_RATE)
	const frames = Math.ceil(pcm.length / FRAME)
	const padded = new Int16Array(frames * FRAME)
	padded.set(pcm)
	const decoded = new Int16Array(frames * FRAME)
	const packet = new Uint8Array(1500)
	const out = new Int16Array(FRAME)
	const configs = new Set<number>()
	let bytes = 0
	for (let f = 0; f < frames; f++) {
		const n = enc.encode(padded.subarray(f * FRAME, (f + 1) * FRAME), packet)
		bytes += n
		configs.add(packet[0]! >> 3)
		decoded.set(out.subarray(0, dec.decode(packet.subarray(0, n), out)), f * FRAME)
	}
	enc.free()
	dec.free()
	return { decoded, kbps: (bytes * 8) / ((frames * FRAME) / TOY_RATE) / 1000, configs: [...configs].sort((a, b) => a - b) }
}

const dir = mkdtempSync(join(tmpdir(), 'teddy-quality-'))
const files: Array<{ setting: string; sentence: number; ref: string; deg: string }> = []
const kbps: Record<string, number[]> = {}
const configs: Record<string, Set<number>> = {}
for (const [i, [voice, text]] of SENTENCES.entries()) {
	const speech = await synthesize(text, { voice, speed: 150 })
	const at24 = resample(speech.pcm, speech.sampleRate, TOY_RATE)
	const ref = join(dir, `ref-${i}.raw`)
	writeFileSync(ref, resample(at24, TOY_RATE, 16000))
	for (const s of SETTINGS) {
		const r = roundTrip(at24, s)
		const deg = join(dir, `${s.name.replace(' ', '-')}-${i}.raw`)
		writeFileSync(deg, resample(r.decoded, TOY_RATE, 16000))
		files.push({ setting: s.name, sentence: i, ref, deg })
		;(kbps[s.name] ??= []).push(r.kbps)
		for (const c of r.configs) (configs[s.name] ??= new Set()).add(c)
	}
}

// PESQ in Python (the reference implementation's C, wrapped): one process for every pair.
const py = `
import json, sys, numpy as np
from pesq import pesq
pairs = json.load(sys.stdin)
out = []
for p in pairs:
    ref = np.fromfile(p['ref'], dtype='<i2').astype(np.float32)
    deg = np.fromfile(p['deg'], dtype='<i2').astype(np.float32)
    n = min(len(ref), len(deg))
    out.append(pesq(16000, ref[:n], deg[:n], 'wb'))
print(json.dumps(out))
`
const proc = Bun.spawnSync(['python3', '-c', py], { stdin: Buffer.from(JSON.stringify(files)), stderr: 'pipe' })
rmSync(dir, { recursive: true, force: true })
if (proc.exitCode !== 0) {
	throw new Error(`PESQ failed (pip install pesq numpy): ${proc.stderr.toString().slice(0, 500)}`)
}
const scores = JSON.parse(proc.stdout.toString()) as number[]

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const rows = SETTINGS.map((s) => {
	const mos = files.map((f, i) => (f.setting === s.name ? scores[i]! : Number.NaN)).filter((x) => !Number.isNaN(x))
	return { setting: s.name, loadStep: s.loadStep ?? null, complexity: s.complexity, bandHz: s.bandHz, pesqWb: mean(mos), pesqWbMin: Math.min(...mos), pesqWbMax: Math.max(...mos), kbps: mean(kbps[s.name]!), tocConfigs: [...configs[s.name]!] }
})

const m = machine()
const command = commandLine()
const md = [
	'# Downlink encode settings: speech quality',
	'',
	`Machine: ${machineLine(m)}`,
	'',
	`Reproduce: \`${command}\` (needs \`pip install pesq\`).`,
	'',
	`${SENTENCES.length} sentences from espeak-ng (${SENTENCES.map(([v]) => v).join(', ')}), resampled to 24 kHz, encoded in 60 ms frames at 24 kbit/s (voip) and decoded at 24 kHz, as the downlink and the toy do. PESQ wideband (P.862.2, MOS-LQO 1.0-4.64) against the same sentence, both resampled to 16 kHz: it scores the speech band (50-7000 Hz), so "fb" (no band cap) cannot score its extra highs here. Encode cost per frame of each setting: \`bench/results/codec.md\`. Synthetic speech: read the differences between rows, not the absolute scores.`,
	'',
	markdownTable(
		['setting', 'load step (ENCODE_STEPS)', 'PESQ-WB mean', 'min', 'max', 'kbit/s', 'TOC configs'],
		rows.map((r) => [r.setting, r.loadStep ?? '—', r.pesqWb.toFixed(2), r.pesqWbMin.toFixed(2), r.pesqWbMax.toFixed(2), r.kbps.toFixed(1), r.tocConfigs.join(', ')]),
	),
].join('\n')
for (const p of writeResults('encode-quality', { bench: 'encode-quality', machine: m, command, sentences: SENTENCES, rows }, md)) console.log(`wrote ${p}`)
console.log(md)
