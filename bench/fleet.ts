// Fleet benchmark: simulated toys against a gateway with the fake AI provider.
//   bun bench/fleet.ts <idle|talk|storm|soak|sweep|all> [options]
// Starts its own gateway (bun gateway/src/main.ts, TEDDY_PROVIDER=fake) unless --url is given,
// and writes bench/results/fleet-<scenario>.{json,md} (sweep: fleet-sweep-<path>-<answer>[-<listen>][-p<k>][-vs-<k>].{json,md,png};
// all writes fleet.*). By default the production path (see --path); --path lighter is the old one.
// Run `bun bench/fleet.ts --help` for the options; README "Performance" for the recorded runs.

import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { renderChart, runMarkdown, type Sweep, type SweepStep, sweepMarkdown } from './fleet/report'
import { loadAverage } from './fleet/proc'
import { type RunOptions, type RunResult, runScenario } from './fleet/run'
import { scalingEfficiency, toysPerCore } from './fleet/stats'
import type { ListenMode, Scenario, ToyProtocol } from './fleet/types'
import { machine, machineLine, RESULTS_DIR, writeResults } from './lib/report'
import { loadSharedSecret } from './lib/token'

const HELP = `bun bench/fleet.ts <idle|talk|storm|soak|sweep|all> [options]
  --n N               toys (default: idle 10000, talk 500, storm 5000, soak 2000)
  --duration S        measured seconds (default: idle 20, talk 40, storm 90 max wait, soak 120)
  --ramp S            seconds over which the toys connect (default N/1000, at least 2)
  --workers W         load-generator processes (default 1 per core left after the gateway's; 0 = in-process)
  --path production|lighter     production (default): --listen auto=8,manual=1,realtime=1, toys paired to
                      consented children (private PostgreSQL pinned with the generator, rows counted),
                      LOG_LEVEL=info. lighter: manual listening, unpaired toys, embedded PGlite,
                      LOG_LEVEL=warn (what the figures before issue 17 measured). The fake is always
                      wrapped like a remote provider (resilient + safety with local moderation).
  --listen auto=8,manual=1,realtime=1   how the xiaozhi toys listen, by weight (seed toys: manual)
  --no-pair           production path without pairing (no rows stored); with --url, toys are paired only
                      when --database-url and ENCRYPTION_KEY (that gateway's) are given
  --log-level LEVEL   gateway LOG_LEVEL (default: info, lighter path warn)
  --answer pcm|ogg20  fake answers as 24 kHz PCM (gateway transcodes) or Ogg Opus in 20 ms packets
                      (gateway repacketizes and passes through) (default pcm)
  --processes 1|2     GATEWAY_PROCESSES (sweep: --processes 1,2 also reports scaling efficiency)
  --mix v3=7,v2=1,v1=1,seed=1   protocol mix by weight
  --codec native|fallback       gateway codec (sweep: --codec native,fallback)
  --latency MS        fake provider latency (default 200)
  --answer-ms MS      fake provider answer length (default 2000)
  --pause MIN-MAX     think time between turns, ms (default 1000-4000)
  --barge SHARE       share of turns barged into (default 0.1)
  --talk-share SHARE  soak: share of toys talking (default 0.2)
  --heartbeat MS      ping interval of idle toys (default 30000)
  --no-pin            do not pin the gateway to cpu 0 and the workers (and the bench's PostgreSQL) to the rest
  --url ws://host:port  drive a running gateway (any xiaozhi-compatible server); secret from ESP32_SHARED_SECRET;
                      the generator is still pinned to cpus 1.. (run the gateway on cpu 0)
  --gateway-pid PID   with --url: read that process's /proc for CPU and RSS
  --provider NAME     with --url: what answers there, for the report (default: its /health/ready says)
  --fake-provider     with --url: that gateway runs TEDDY_PROVIDER=fake with --latency/--answer-ms, so
                      provider answers, cached lines and lost frames can be told (otherwise "n/a")
  --database-url URL  gateway DATABASE_URL (default: embedded PGlite in a temp dir)
  --metrics on|off|compare  gateway METRICS (default on; 'on' scrapes /metrics every 5 s). compare: the
                      scenario alternately with metrics off and on (--rounds pairs), figures as on/off
                      ratios within the one run; writes bench/results/fleet-metrics-cost.{json,md}
  sweep: --steps 100,200,...  [--fallback-steps 50,60,... for the fallback codec]  --budget MS (gateway-added p99, default 20)
         --jitter-budget MS (downlink pacing jitter p99, default 60: one frame; beyond it the toy's buffer runs down)
         --repeat K (runs per step, default 1: a step holds only if every run does; one 30 s run's p99 is a
                    handful of turns, and near the limit the same step holds in one run and misses in the next)
env FLEET_GATEWAY_BUN_ARGS="--cpu-prof --cpu-prof-md --cpu-prof-dir=/tmp/prof" profiles the gateway under load`

const { values: a, positionals } = parseArgs({
	allowPositionals: true,
	options: {
		n: { type: 'string' },
		duration: { type: 'string' },
		ramp: { type: 'string' },
		workers: { type: 'string' },
		mix: { type: 'string', default: 'v3=7,v2=1,v1=1,seed=1' },
		path: { type: 'string', default: 'production' },
		listen: { type: 'string' },
		'no-pair': { type: 'boolean', default: false },
		'log-level': { type: 'string' },
		answer: { type: 'string', default: 'pcm' },
		processes: { type: 'string', default: '1' },
		provider: { type: 'string' },
		'fake-provider': { type: 'boolean', default: false },
		codec: { type: 'string', default: 'native' },
		latency: { type: 'string', default: '200' },
		'answer-ms': { type: 'string', default: '2000' },
		pause: { type: 'string', default: '1000-4000' },
		barge: { type: 'string', default: '0.1' },
		'talk-share': { type: 'string', default: '0.2' },
		heartbeat: { type: 'string', default: '30000' },
		'no-pin': { type: 'boolean', default: false },
		url: { type: 'string' },
		'gateway-pid': { type: 'string' },
		'database-url': { type: 'string' },
		metrics: { type: 'string', default: 'on' },
		rounds: { type: 'string', default: '2' },
		steps: { type: 'string', default: '100,200,300,400,500,600,700,800,1000,1200,1500,2000' },
		'fallback-steps': { type: 'string' },
		budget: { type: 'string', default: '20' },
		'jitter-budget': { type: 'string', default: '60' },
		repeat: { type: 'string', default: '1' },
		help: { type: 'boolean', default: false },
	},
})

const command = positionals[0] as Scenario | 'sweep' | 'all' | undefined
if (a.help || !command || !['idle', 'talk', 'storm', 'soak', 'sweep', 'all'].includes(command)) {
	console.log(HELP)
	process.exit(a.help ? 0 : 2)
}

const DEFAULT_N: Record<Scenario, number> = { idle: 10_000, talk: 500, storm: 5000, soak: 2000 }
const DEFAULT_S: Record<Scenario, number> = { idle: 20, talk: 40, storm: 90, soak: 120 }

function weights<K extends string>(flag: string, keys: readonly K[], text: string): Partial<Record<K, number>> {
	const out: Partial<Record<K, number>> = {}
	for (const part of text.split(',')) {
		const [k, v] = part.split('=')
		if (!keys.includes(k as K) || !(Number(v) >= 0)) throw new Error(`${flag}: bad entry "${part}"`)
		out[k as K] = Number(v)
	}
	return out
}
const mix = (text: string) => weights<ToyProtocol>('--mix', ['v1', 'v2', 'v3', 'seed'], text)

if (a.path !== 'production' && a.path !== 'lighter') throw new Error('--path: production or lighter')
if (a.answer !== 'pcm' && a.answer !== 'ogg20') throw new Error(`--answer: pcm or ogg20 (the answer length is --answer-ms now), not "${a.answer}"`)
const production = a.path === 'production'
const listenMix = weights<ListenMode>('--listen', ['manual', 'auto', 'realtime'], a.listen ?? (production ? 'auto=8,manual=1,realtime=1' : 'manual=1'))
const processList = a.processes.split(',').map(Number)
if (processList.some((p) => !(p >= 1))) throw new Error('--processes: 1, 2, ... (sweep: a list, e.g. 1,2)')
// ? Against --url the toys are paired only when the bench can reach that gateway's database and key.
const paired = production && !a['no-pair'] && (!a.url || (!!a['database-url'] && !!process.env.ENCRYPTION_KEY))
const cores = navigator.hardwareConcurrency
// ? Pinned with --url too: the generator keeps off cpu 0, where the operator runs the gateway.
const pin = !a['no-pin']
// One fresh-start RSS baseline for the whole invocation (see RunOptions.rssBaseline).
const rssBaseline: Record<number, number | null> = {}
const secret = a.url ? loadSharedSecret() : randomBytes(32).toString('hex')
const [pauseLo, pauseHi] = a.pause.split('-').map(Number)

function options(scenario: Scenario, overrides: Partial<RunOptions> = {}): RunOptions {
	const n = overrides.n ?? (a.n ? Number(a.n) : DEFAULT_N[scenario])
	return {
		scenario,
		n,
		durationMs: (a.duration ? Number(a.duration) : DEFAULT_S[scenario]) * 1000,
		rampMs: (a.ramp ? Number(a.ramp) : Math.max(2, n / 1000)) * 1000,
		workers: a.workers ? Number(a.workers) : Math.max(1, cores - 1),
		mix: mix(a.mix),
		listen: listenMix,
		paired,
		encryptionKey: a.url ? process.env.ENCRYPTION_KEY : undefined,
		path: production ? 'production' : 'lighter',
		logLevel: a['log-level'] ?? (production ? 'info' : 'warn'),
		answerFormat: a.answer as 'pcm' | 'ogg20',
		processes: processList[0],
		providerName: a.provider,
		providerKnown: a['fake-provider'],
		rssBaseline,
		codec: a.codec.split(',')[0] as 'native' | 'fallback',
		url: a.url,
		gatewayPid: a['gateway-pid'] ? Number(a['gateway-pid']) : undefined,
		secret,
		latencyMs: Number(a.latency),
		answerMs: Number(a['answer-ms']),
		pauseMs: [pauseLo, pauseHi],
		bargeInShare: Number(a.barge),
		talkShare: Number(a['talk-share']),
		heartbeatMs: Number(a.heartbeat),
		pin,
		databaseUrl: a['database-url'],
		metrics: a.metrics === 'off' ? 'off' : 'on',
		...overrides,
	}
}

/** Why a sweep step failed its limits, or '' when it held. */
function verdict(r: RunResult, budgetMs: number, jitterBudgetMs: number): string {
	const f = r.figures
	const why: string[] = []
	if (f.connectionsHeld < r.options.n) why.push(`${r.options.n - f.connectionsHeld} toys not connected`)
	if (f.framesLost !== null && f.framesLost > 0) why.push(`${f.framesLost} frames lost`)
	if (f.turns.noAudio > 0) why.push(`${f.turns.noAudio} turns with no audio`)
	if (f.turns.playbackOverTimeout > 0) why.push(`${f.turns.playbackOverTimeout} answers that stalled`)
	if (f.turns.vadMissed > 0) why.push(`${f.turns.vadMissed} turns the VAD never ended`)
	if (f.turns.shed > 0) why.push(`${f.turns.shed} turns shed by admission control`)
	if (f.stored && f.stored.conversations === 0 && f.turns.answered > 0) why.push('no conversation stored')
	if (f.turns.answered === 0) why.push('no turn answered')
	const p99 = f.gatewayAddedMs.p99
	if (p99 !== null && p99 > budgetMs) why.push(`added p99 ${p99} ms > ${budgetMs} ms`)
	// Frames that arrive in time but in clumps play as gaps once the toy's 5-frame buffer runs dry.
	const jitter = f.pacingJitterMs.p99
	if (jitter !== null && jitter > jitterBudgetMs) why.push(`pacing jitter p99 ${jitter} ms > ${jitterBudgetMs} ms`)
	return why.join('; ')
}

async function sweep(codec: 'native' | 'fallback', processes: number): Promise<Sweep> {
	const budgetMs = Number(a.budget)
	const jitterBudgetMs = Number(a['jitter-budget'])
	const steps: SweepStep[] = []
	const list = (codec === 'fallback' && a['fallback-steps']) || a.steps
	let maxToys = 0
	const repeat = Number(a.repeat)
	if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat: a whole number of runs per step, 1 or more')
	let limitedBy = `not reached (held at every step up to ${list.split(',').at(-1)}${repeat > 1 ? `, ${repeat} runs each` : ''})`
	steps: for (const n of list.split(',').map(Number)) {
		for (let run = 1; run <= repeat; run++) {
			const result = await runScenario(options('talk', { n, codec, processes, durationMs: (a.duration ? Number(a.duration) : 30) * 1000 }))
			const reason = verdict(result, budgetMs, jitterBudgetMs)
			steps.push({ n, held: reason === '', reason, result, ...(repeat > 1 ? { run, of: repeat } : {}) })
			const which = repeat > 1 ? ` run ${run}/${repeat}` : ''
			console.error(`sweep ${codec} ×${processes} N=${n}${which}: ${reason || 'held'} (added p99 ${result.figures.gatewayAddedMs.p99} ms, gateway CPU ${result.figures.gateway.cpuPercentAvg}%)`)
			// ? A step holds only if every run does: the first run that misses ends the sweep.
			if (reason) {
				limitedBy = `at N=${n}${which}: ${reason}`
				break steps
			}
		}
		maxToys = n
	}
	const top = steps.filter((st) => st.held).at(-1)?.result.figures
	const gwCores = Math.min(processes, cores)
	// ? The generator's CPU comes off the gateway's cores only when it ran on them (2 processes on 2 cores).
	const perCore = toysPerCore(maxToys, gwCores, top?.generator.sharesGatewayCores ? top.generator.cpuPercent : 0)
	return { codec, processes, budgetMs, jitterBudgetMs, maxToys, limitedBy, steps, toysPerCore: perCore, label: label(processes) }
}

/** Names a sweep's files and chart after the path it measured. */
function label(processes: number): string {
	const listen = a.listen ? `-${a.listen.replace(/[=.]/g, '').replaceAll(',', '-')}` : ''
	return `${a.path}-${a.answer}${listen}${processes > 1 ? `-p${processes}` : ''}`
}

const m = machine()
const load = loadAverage()
const header = (title: string) =>
	[
		`# ${title}`,
		'',
		`Machine: ${machineLine(m)}; load average at start ${load}.`,
		`Path: **${production ? 'production' : 'lighter path'}** — ${pathLine()}.`,
		`Provider: ${a.url ? (a.provider ?? 'as the external gateway\'s /health/ready says (see each run)') : `fake (${a.answer === 'ogg20' ? 'Ogg Opus 20 ms packets, repacketized and passed through' : '24 kHz PCM, transcoded'}), wrapped in the resilient and safety layers`}.`,
		`Pinning: ${pinLine()}.`,
		m.busyAtStart !== null && m.busyAtStart > 20
			? `**The machine was busy (${m.busyAtStart}% CPU) when the run started: the figures are noisy.**`
			: 'The machine was quiet when the run started.',
		'',
		`Reproduce: \`bun bench/fleet.ts ${process.argv.slice(2).join(' ')}\``,
		'',
	].join('\n')

function printAndWrite(name: string, json: unknown, md: string): void {
	console.log(md)
	for (const p of writeResults(name, json, md)) console.error(`wrote ${p}`)
}

if (a.metrics === 'compare' && command !== 'sweep' && command !== 'all') {
	const pairs: Array<{ off: RunResult; on: RunResult }> = []
	for (let i = 0; i < Number(a.rounds); i++) {
		// ? Alternate which goes first, so a machine getting busier or quieter does not favour one side.
		const first = i % 2 === 0 ? 'off' : 'on'
		const a1 = await runScenario(options(command, { metrics: first }))
		const a2 = await runScenario(options(command, { metrics: first === 'off' ? 'on' : 'off' }))
		const [off, on] = first === 'off' ? [a1, a2] : [a2, a1]
		pairs.push({ off, on })
		console.error(`round ${i + 1}: CPU off ${off.figures.gateway.cpuPercentAvg}% on ${on.figures.gateway.cpuPercentAvg}%`)
	}
	printAndWrite('fleet-metrics-cost', { machine: m, loadAverage: load, command: process.argv.slice(2), pairs }, `${header('Fleet benchmark: the cost of metrics')}${metricsCostMarkdown(pairs)}`)
} else if (command === 'sweep' || command === 'all') {
	const codecs = (command === 'all' ? 'native,fallback' : a.codec).split(',') as Array<'native' | 'fallback'>
	const processCounts = command === 'all' ? [processList[0]] : processList
	const runs: Record<string, RunResult> = {}
	const sections: string[] = []
	if (command === 'all') {
		for (const s of ['idle', 'storm', 'soak'] as const) {
			runs[s] = await runScenario(options(s))
			sections.push(runMarkdown(`${s}`, runs[s]))
		}
	}
	const sweeps: Sweep[] = []
	for (const c of codecs) for (const p of processCounts) sweeps.push(await sweep(c, p))
	const name = command === 'all' ? 'fleet' : `fleet-sweep-${label(processCounts[0])}${processCounts.length > 1 ? `-vs-${processCounts.slice(1).join('-')}` : ''}`
	const chart = renderChart(sweeps, join(RESULTS_DIR, `${name}.png`)) ? `${name}.png` : null
	const headline = markdownHeadline(sweeps)
	for (const s of sweeps) {
		sections.push(sweepMarkdown(s, chart))
		const top = s.steps.filter((st) => st.held).at(-1)
		if (top) sections.push(runMarkdown(`talk at the largest N that held, ${s.codec} (${top.n} toys)`, top.result))
	}
	printAndWrite(name, { machine: m, loadAverage: load, command: process.argv.slice(2), runs, sweeps }, `${header('Fleet benchmark')}${headline}\n${sections.join('\n')}`)
} else {
	const r = await runScenario(options(command))
	printAndWrite(`fleet-${command}`, { machine: m, loadAverage: load, command: process.argv.slice(2), run: r }, `${header(`Fleet benchmark: ${command}`)}${runMarkdown(command, r)}`)
}

function metricsCostMarkdown(pairs: Array<{ off: RunResult; on: RunResult }>): string {
	const row = (label: string, pick: (r: RunResult) => number | null) => {
		const cells = pairs.map(({ off, on }) => {
			const [x, y] = [pick(off), pick(on)]
			const ratio = x && y !== null ? (y / x).toFixed(2) : 'n/a'
			return `${x ?? 'n/a'} → ${y ?? 'n/a'} (×${ratio})`
		})
		return `| ${label} | ${cells.join(' | ')} |`
	}
	return [
		'Each round runs the same scenario with the gateway\'s metrics off (`METRICS=off`: no registry, no counters, no',
		'histograms) and then on (counters, histograms and a scrape of `/metrics` every 5 s). The machine is shared, so',
		'compare the on/off ratio within a round, not absolute figures across runs. Rounds alternate which runs first.',
		'',
		`| figure (off → on) | ${pairs.map((_, i) => `round ${i + 1}`).join(' | ')} |`,
		`|---|${pairs.map(() => '---').join('|')}|`,
		row('gateway CPU % (avg)', (r) => r.figures.gateway.cpuPercentAvg),
		row('gateway RSS MiB (end)', (r) => (r.figures.gateway.rssKiB === null ? null : Math.round(r.figures.gateway.rssKiB / 1024))),
		row('turns answered', (r) => r.figures.turns.answered),
		row('gateway-added p50 ms', (r) => r.figures.gatewayAddedMs.p50),
		row('gateway-added p95 ms', (r) => r.figures.gatewayAddedMs.p95),
		row('gateway-added p99 ms', (r) => r.figures.gatewayAddedMs.p99),
		row('pacing jitter p99 ms', (r) => r.figures.pacingJitterMs.p99),
		row('ingest p99 ms', (r) => r.figures.ingestMs.p99),
		row('frames lost', (r) => r.figures.framesLost),
		row('endpoint (VAD end frame → stt) p99 ms', (r) => r.figures.endpointMs.p99),
		'',
	].join('\n')
}

function markdownHeadline(sweeps: Sweep[]): string {
	const lines = sweeps.map(
		(s) =>
			`- **Toys talking per gateway, ${s.codec} codec, ${s.processes} process(es): ${s.maxToys}** (${s.limitedBy}); ` +
			`toys per core ${s.toysPerCore ?? 'n/a'}`,
	)
	for (const s of sweeps.filter((x) => x.processes > 1)) {
		const one = sweeps.find((x) => x.codec === s.codec && x.processes === 1)
		if (one) lines.push(`- Scaling efficiency, ${s.codec}, ${s.processes} processes vs 1: ${scalingEfficiency(one.toysPerCore, s.toysPerCore) ?? 'n/a'} (toys per core at ${s.processes} over toys per core at 1)`)
	}
	return `${lines.join('\n')}\n`
}

function pathLine(): string {
	const mixText = Object.entries(listenMix)
		.map(([k, v]) => `${k} ${v}`)
		.join(', ')
	if (!production) return `manual listening (${mixText}), unpaired toys, LOG_LEVEL=${a['log-level'] ?? 'warn'}: no uplink decode, no VAD, no conversation rows`
	return `listen ${mixText} (auto/realtime: the gateway decodes every uplink frame and its VAD ends the turn), ${!paired ? 'unpaired toys (no rows)' : 'toys paired to consented children (every turn stores its rows)'}, LOG_LEVEL=${a['log-level'] ?? 'info'}`
}

function pinLine(): string {
	if (!pin || cores < 2) return 'none (--no-pin or one core): generator, PostgreSQL and gateway share the cores; the generator\'s CPU is reported'
	if (a.url) return `load generator on cpu${cores > 2 ? `s 1-${cores - 1}` : ' 1'}; the external gateway's pinning is the operator's (put it on cpu 0)`
	const p = Math.max(...processList)
	if (p >= cores) return `gateway processes on every core, so the load generator and PostgreSQL share them: their CPU is reported and the generator's is taken off the gateway's cores in "toys per core"`
	return `gateway on cpu ${p === 1 ? '0' : `0-${p - 1}`}; load generator, the bench's PostgreSQL and this orchestrator on the other core(s)`
}
