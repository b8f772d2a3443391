// What one uplink frame costs the gateway, through the session's own ingest: the Uplink
// (session/uplink.ts) decodes the toy's 60 ms packet, or reads it as silence when the ingest gate
// may (its encoder flagged it quiet, and no turn is under way), then the VAD scores the frame
// (codec.createVad(16000) defaults, native: Silero + pitch). Three streams, each in interleaved
// rounds so the machine's load falls on all of them alike:
//   - speech: the recorded question (bench/assets), every packet decoded (inside a turn);
//   - quiet room, decoded: −65 dBFS noise as libopus VOIP encodes it, the gate off (as before it);
//   - quiet room, gated: the same packets while the gateway waits for a child to speak.
// Not the whole hot path: no WebSocket, no session state machine. Times are per 60 ms frame.
//
//   bun bench/ingest.ts [--rounds 15] [--frames 3000]
// Writes bench/results/ingest.{json,md}.

import { loadCodec } from '../gateway/src/codec'
import { Uplink } from '../gateway/src/session/uplink'
import { silencePackets } from './fleet/uplink-audio'
import { wholeArg } from './lib/args'
import { loadPackets } from './lib/packets'
import { commandLine, machine, machineLine, markdownTable, spread, writeResults } from './lib/report'

const ROUNDS = wholeArg('rounds', 15)
const FRAMES = wholeArg('frames', 3000)
const RATE = 16000

const codec = loadCodec('native')
const speech = await loadPackets(`${import.meta.dir}/assets/speech-16k.opuspackets`)
const room = silencePackets('native')

interface Stream {
	name: string
	packets: Uint8Array[]
	gate: boolean
}
const streams: Stream[] = [
	{ name: 'speech, decoded (inside a turn)', packets: speech, gate: false },
	{ name: 'quiet room, decoded (gate off)', packets: room, gate: false },
	{ name: 'quiet room, gated (waiting for a child)', packets: room, gate: true },
]

/** µs per frame of `FRAMES` frames of `s`, through a fresh Uplink and VAD. */
function run(s: Stream): { us: number; quietShare: number } {
	const uplink = new Uplink(codec, 30_000)
	uplink.begin('opus', RATE, true)
	const vad = codec.createVad(RATE)
	// As in a session: the toy's encoder has set a voice flag before (its last sentence).
	uplink.decodeOnly(speech[0] as Uint8Array)
	uplink.gate = s.gate
	const t = Bun.nanoseconds()
	for (let i = 0; i < FRAMES; i++) {
		const pcm = uplink.decodeOnly(s.packets[i % s.packets.length] as Uint8Array)
		if (uplink.takeResumed()) vad.reset()
		vad.process(pcm)
	}
	const us = (Bun.nanoseconds() - t) / 1000 / FRAMES
	const quietShare = uplink.quietPackets / FRAMES
	uplink.free()
	return { us, quietShare }
}

for (const s of streams) run(s) // warm-up
const times = streams.map(() => [] as number[])
const quiet = streams.map(() => 0)
for (let r = 0; r < ROUNDS; r++) {
	streams.forEach((s, k) => {
		const { us, quietShare } = run(s)
		times[k]?.push(us)
		quiet[k] = quietShare
	})
}

const m = machine()
const rows = streams.map((s, k) => {
	const sp = spread(times[k] as number[])
	return { stream: s.name, gate: s.gate, quietShare: quiet[k] as number, ...sp, toysPerCore: Math.floor(60_000 / sp.median) }
})
const gated = rows[2]
const decoded = rows[1]
const ratio = gated && decoded ? decoded.median / gated.median : null
const md = `# Uplink ingest per 60 ms frame

${machineLine(m)}

Reproduce: \`${commandLine()}\`. The session's Uplink + VAD (native codec), ${FRAMES} frames per round, ${ROUNDS} interleaved rounds; median and interquartile range. No WebSocket or session state: ingest alone. Toys per core = 60 000 / median µs (open microphones one core could take in, nothing else running).

${markdownTable(
	['stream', 'packets read as silence', 'median µs', 'q1', 'q3', 'open microphones per core'],
	rows.map((r) => [r.stream, `${(100 * r.quietShare).toFixed(0)} %`, r.median, r.q1, r.q3, r.toysPerCore]),
)}
Quiet room: ${room.length} packets of −65 dBFS white noise encoded by libopus VOIP at 16 kHz, every one flagged quiet by its encoder. A louder room whose noise the encoder flags as voice is decoded as before (the gated row would read as the decoded one). Gate off ÷ gate on: ${ratio === null ? '—' : `×${ratio.toFixed(1)}`}.
`
for (const p of writeResults('ingest', { machine: m, command: commandLine(), frames: FRAMES, rounds: ROUNDS, rows, ratio }, md)) console.log(`wrote ${p}`)
console.log(md)
