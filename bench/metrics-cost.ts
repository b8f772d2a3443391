// The per-frame and per-scrape cost of the gateway's metrics, measured directly (the fleet bench's
// metrics on/off comparison is swamped by noise on a shared machine):
//   bun bench/metrics-cost.ts
// - per downlink frame: the pacer with and without the lateness histogram, plus the frame counters;
// - per scrape: Metrics.text() with the gauges reading 1,000 and 10,000 sockets.
// Writes bench/results/metrics-cost.{json,md}.

import { LatencyHistogram, PACING_BUCKETS_MS } from '../gateway/src/obs/latency-histogram'
import { HotCounters, Metrics } from '../gateway/src/obs/metrics'
import { Pacer, PacingClock } from '../gateway/src/session/pacer'
import { machine, machineLine, writeResults } from './lib/report'

const FRAMES = 2_000_000
const packet = new Uint8Array(40)

function pacerNsPerFrame(withMetrics: boolean): number {
	const hist = withMetrics ? new LatencyHistogram('x', 'x', PACING_BUCKETS_MS) : undefined
	const counters = withMetrics ? new HotCounters() : undefined
	let sent = 0
	const pacer = new Pacer(new PacingClock(), 
		{
			audio: () => {
				sent++
				if (counters) counters.framesOut++
			},
			sentence() {},
			end() {},
		},
		60,
		5,
		hist,
	)
	// A clock of our own: each pump is one frame time later, so every push sends at once.
	let now = performance.now()
	const t0 = Bun.nanoseconds()
	for (let i = 0; i < FRAMES; i++) {
		pacer.push({ kind: 'audio', packet })
		now += 60
		pacer.pump(now)
	}
	const ns = (Bun.nanoseconds() - t0) / FRAMES
	pacer.clear()
	if (sent !== FRAMES) throw new Error(`sent ${sent}`)
	return ns
}

function best(f: () => number, runs = 5): number {
	let b = Number.POSITIVE_INFINITY
	for (let i = 0; i < runs; i++) b = Math.min(b, f())
	return Math.round(b * 10) / 10
}

async function scrapeMs(sockets: number): Promise<number> {
	const m = new Metrics()
	const socks = Array.from({ length: sockets }, (_, i) => ({ protocol: i % 10 === 0 ? 'seed-json' : 'xiaozhi-v3', state: i % 7 === 0 ? 'speaking' : 'idle' }))
	const census = () => {
		const protocols: Record<string, number> = {}
		const states: Record<string, number> = {}
		for (const s of socks) {
			protocols[s.protocol] = (protocols[s.protocol] ?? 0) + 1
			states[s.state] = (states[s.state] ?? 0) + 1
		}
		return { protocols, states }
	}
	m.watch({
		node: 'n',
		codec: 'native',
		connectionsByProtocol: () => census().protocols,
		sessionsByState: () => census().states,
		circuitState: () => 'closed',
		answersEncoding: () => 3,
		pacingLateMs: () => 0,
		writes: () => ({ pending: 0, waiting: false, refused: 0, dropped: 0 }),
		redisDegraded: () => 0,
		draining: () => false,
	})
	for (let i = 0; i < 1000; i++) m.pacingLateness.observe(i % 70)
	await m.text()
	const n = 200
	const t0 = performance.now()
	for (let i = 0; i < n; i++) await m.text()
	return Math.round(((performance.now() - t0) / n) * 1000) / 1000
}

const off = best(() => pacerNsPerFrame(false))
const on = best(() => pacerNsPerFrame(true))
const scrape1k = await scrapeMs(1000)
const scrape10k = await scrapeMs(10_000)
const m = machine()
const figures = { pacerNsPerFrameOff: off, pacerNsPerFrameOn: on, addedNsPerFrame: Math.round((on - off) * 10) / 10, scrapeMs1k: scrape1k, scrapeMs10k: scrape10k }
const md = [
	'# Cost of metrics, measured directly',
	'',
	`Machine: ${machineLine(m)}${m.busyAtStart !== null && m.busyAtStart > 20 ? ` (busy: ${m.busyAtStart}% CPU at start; best of 5 runs taken)` : ''}.`,
	'',
	'Reproduce: `bun bench/metrics-cost.ts`',
	'',
	'| what | metrics off | metrics on |',
	'|---|---|---|',
	`| pacer + sink per downlink frame (counters, lateness histogram) | ${off} ns | ${on} ns (+${figures.addedNsPerFrame} ns) |`,
	`| one scrape of /metrics, 1,000 toys connected | — | ${scrape1k} ms |`,
	`| one scrape of /metrics, 10,000 toys connected | — | ${scrape10k} ms |`,
	'',
	'A toy hears 16.7 frames a second: at 900 talking toys the added per-frame work is',
	`${Math.round((figures.addedNsPerFrame * 900 * 16.7) / 1000)} µs per second of the event loop, and a scrape every 15 s of 10,000 toys costs ${scrape10k} ms.`,
	'',
].join('\n')
console.log(md)
for (const p of writeResults('metrics-cost', { machine: m, figures }, md)) console.error(`wrote ${p}`)
