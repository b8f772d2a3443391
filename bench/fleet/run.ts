// One fleet run: start (or target) a gateway, spread the toys over worker processes, let the
// scenario play, sample the gateway's /proc every second, and merge everything into figures.

import { join } from 'node:path'
import { loadPackets } from '../lib/packets'
import { ToyFleet, emptyResult } from './fleet'
import { type GatewayHandle, launcher, startGatewayProcess } from './gateway-proc'
import { cpuPercent, type ProcSample, sampleProc } from './proc'
import { type Summary, shift, summarize } from './stats'
import type { ParentToWorker, Scenario, ToyPlan, ToyProtocol, ToyResult, WorkerToParent } from './types'

export interface RunOptions {
	scenario: Scenario
	n: number
	/** Measured window after every toy is connected (storm: the longest wait for the fleet to return). */
	durationMs: number
	rampMs: number
	/** Worker processes; 0 runs the toys in this process (smoke test). */
	workers: number
	mix: Partial<Record<ToyProtocol, number>>
	codec: 'native' | 'fallback'
	/** Drive an already running gateway instead of starting one. */
	url?: string
	/** With url: the gateway's pid, so its /proc can still be read. */
	gatewayPid?: number
	secret: string
	/** With url: the gateway runs the fake provider with latencyMs/answerMs, so loss and added latency can be computed. */
	providerKnown?: boolean
	latencyMs: number
	answerMs: number
	pauseMs: [number, number]
	bargeInShare: number
	/** soak: share of the toys that talk. */
	talkShare: number
	heartbeatMs: number
	/** Pin the gateway to core 0 and the workers to the other cores (needs taskset and ≥ 2 cores). */
	pin: boolean
	databaseUrl?: string
	/** Gateway METRICS switch; with 'on' the run scrapes /metrics every 5 s, as Prometheus would (more often). */
	metrics?: 'on' | 'off'
	log?: (line: string) => void
}

export interface TimelinePoint {
	s: number
	cpu: number
	rssKiB: number
	held: number
}

export interface RunFigures {
	connectionsHeld: number
	handshakeSuccessRate: number
	handshakeMs: Summary
	handshakeFailures: Record<string, number>
	unexpectedCloses: Record<string, number>
	turns: ToyResult['turns']
	uplinkFramesPerSec: number
	downlinkFramesPerSec: number
	ingestMs: Summary
	heartbeatRttMs: Summary
	endOfSpeechToFirstFrameMs: Summary
	gatewayAddedMs: Summary
	fixedLineFirstFrameMs: Summary
	providerToFirstFrameMs: Summary
	pacingJitterMs: Summary
	bargeInStopMs: Summary
	reconnectMs: Summary
	/** storm: from the restart to every toy holding a greeted socket again; null if it never did. */
	stormRecoveryMs: number | null
	framesLost: number
	seqGaps: number
	uplinkSendFailures: number
	clientErrors: Record<string, number>
	gateway: {
		pid: number | null
		cpuPercentAvg: number | null
		cpuPercentMax: number | null
		rssBaselineKiB: number | null
		rssKiB: number | null
		rssMaxKiB: number | null
		rssPerConnectionKiB: number | null
		ioBytesPerConnectionPerSec: number | null
	}
	client: { uplinkBytesPerToyPerSec: number; downlinkBytesPerToyPerSec: number }
	generator: { workers: number; cpuPercent: number | null; cpus: string }
	gatewayLogTail: string[]
}

export interface RunResult {
	options: Omit<RunOptions, 'secret' | 'log'>
	figures: RunFigures
	timeline: TimelinePoint[]
	startedAt: string
	elapsedMs: number
}

const PACKETS = join(import.meta.dir, '..', 'assets', 'speech-16k.opuspackets')
const WORKER = join(import.meta.dir, 'worker.ts')

function protocolsFor(n: number, mix: Partial<Record<ToyProtocol, number>>): ToyProtocol[] {
	const entries = Object.entries(mix).filter(([, w]) => (w ?? 0) > 0) as Array<[ToyProtocol, number]>
	const total = entries.reduce((s, [, w]) => s + w, 0)
	const out: ToyProtocol[] = []
	// Largest-remainder style interleave: protocol k gets its share spread evenly over the list.
	const acc = entries.map(() => 0)
	for (let i = 0; i < n; i++) {
		let best = 0
		for (let k = 0; k < entries.length; k++) {
			acc[k] += entries[k][1] / total
			if (acc[k] > acc[best]) best = k
		}
		acc[best] -= 1
		out.push(entries[best][0])
	}
	return out
}

function merge(into: ToyResult, r: ToyResult): void {
	into.toys += r.toys
	into.held += r.held
	into.handshakes.attempted += r.handshakes.attempted
	into.handshakes.ok += r.handshakes.ok
	into.handshakes.failed += r.handshakes.failed
	for (const [k, v] of Object.entries(r.handshakes.failures)) into.handshakes.failures[k] = (into.handshakes.failures[k] ?? 0) + v
	for (const [k, v] of Object.entries(r.unexpectedCloses)) into.unexpectedCloses[k] = (into.unexpectedCloses[k] ?? 0) + v
	for (const [k, v] of Object.entries(r.errors)) into.errors[k] = (into.errors[k] ?? 0) + v
	for (const k of Object.keys(into.turns) as Array<keyof ToyResult['turns']>) into.turns[k] += r.turns[k]
	for (const k of ['uplinkFrames', 'uplinkBytes', 'downlinkFrames', 'downlinkBytes', 'framesLost', 'seqGaps', 'uplinkSendFailures'] as const) {
		into[k] += r[k]
	}
	for (const k of [
		'ingestMs',
		'heartbeatRttMs',
		'endOfSpeechToFirstFrameMs',
		'fixedLineFirstFrameMs',
		'providerToFirstFrameMs',
		'pacingJitterMs',
		'bargeInStopMs',
		'reconnectMs',
	] as const) {
		for (const v of r[k]) into[k].push(v)
	}
	for (const v of r.handshakes.ms) into.handshakes.ms.push(v)
}

interface Driver {
	pids: number[]
	connected: Promise<void>
	held(): number
	stop(): Promise<ToyResult>
}

/** Toys in worker processes (pinned to `cpus`), or in this process when workers = 0. */
function drive(plans: ToyPlan[], inProcess: boolean, cpus: string | undefined, needFds: number): Driver {
	if (inProcess) {
		const fleets = plans.map((p) => new ToyFleet(p))
		const connected = Promise.all(fleets.map((f) => f.connectAll())).then(() => {
			for (const f of fleets) f.start()
		})
		return {
			pids: [],
			connected,
			held: () => fleets.reduce((s, f) => s + f.held, 0),
			async stop() {
				const out = emptyResult()
				for (const r of await Promise.all(fleets.map((f) => f.stop()))) merge(out, r)
				return out
			},
		}
	}
	const held = plans.map(() => 0)
	const results: Array<ToyResult | undefined> = plans.map(() => undefined)
	const waiters: Array<() => void> = []
	const connectedFlags = plans.map(() => false)
	let onConnected: () => void = () => {}
	const connected = new Promise<void>((resolve) => {
		onConnected = resolve
	})
	const procs = plans.map((plan, i) =>
		Bun.spawn(launcher(['bun', WORKER], needFds, cpus), {
			cwd: join(import.meta.dir, '..', '..'),
			stdin: 'ignore',
			stdout: 'inherit',
			stderr: 'inherit',
			serialization: 'json',
			ipc(msg: WorkerToParent) {
				if (msg.type === 'connected') {
					held[i] = msg.held
					connectedFlags[i] = true
					if (connectedFlags.every(Boolean)) onConnected()
				} else if (msg.type === 'held') held[i] = msg.held
				else if (msg.type === 'result') {
					results[i] = msg.result
					for (const w of waiters.splice(0)) w()
				}
			},
		}),
	)
	procs.forEach((p, i) => p.send({ type: 'start', plan: plans[i] } satisfies ParentToWorker))
	return {
		pids: procs.map((p) => p.pid),
		connected,
		held: () => held.reduce((s, v) => s + v, 0),
		async stop() {
			for (const p of procs) p.send({ type: 'stop' } satisfies ParentToWorker)
			const deadline = Date.now() + 30_000
			while (results.some((r) => !r) && Date.now() < deadline) {
				await new Promise<void>((resolve) => {
					waiters.push(resolve)
					setTimeout(resolve, 500)
				})
			}
			await Promise.all(procs.map((p) => Promise.race([p.exited, Bun.sleep(3000)])))
			for (const p of procs) if (p.exitCode === null) p.kill()
			const out = emptyResult()
			for (const r of results) if (r) merge(out, r)
			if (results.some((r) => !r)) out.errors['a worker sent no result'] = results.filter((r) => !r).length
			return out
		},
	}
}

export async function runScenario(o: RunOptions): Promise<RunResult> {
	const log = o.log ?? ((line: string) => console.error(line))
	const started = performance.now()
	const startedAt = new Date().toISOString()
	const cores = navigator.hardwareConcurrency
	const pin = o.pin && cores >= 2 && !!Bun.which('taskset')
	const gatewayCpus = pin ? '0' : undefined
	const workerCpus = pin ? (cores === 2 ? '1' : `1-${cores - 1}`) : undefined
	const perWorker = Math.ceil(o.n / Math.max(1, o.workers))
	// Each socket is a file; a little slack for the runtime's own.
	const needFds = Math.max(o.n, perWorker) + 256

	let gw: GatewayHandle | undefined
	let wsUrl = o.url
	if (!wsUrl) {
		log(`starting gateway (codec ${o.codec}, fake provider ${o.latencyMs} ms / ${o.answerMs} ms${pin ? ', pinned to cpu 0' : ''})`)
		gw = await startGatewayProcess(
			{
				codec: o.codec,
				secret: o.secret,
				latencyMs: o.latencyMs,
				answerMs: o.answerMs,
				cpus: gatewayCpus,
				databaseUrl: o.databaseUrl,
				env: o.metrics ? { METRICS: o.metrics } : undefined,
			},
			needFds,
		)
		wsUrl = gw.wsUrl
	}
	const gatewayPid = () => gw?.pid ?? o.gatewayPid ?? null
	const sample = () => {
		const pid = gatewayPid()
		return pid ? sampleProc(pid) : null
	}
	await Bun.sleep(1000)
	const baseline = sample()
	// The scrape's own cost belongs to "metrics on": it is what an operator's Prometheus adds.
	let scrapes = 0
	// FLEET_SCRAPE_MS=0 measures metrics on without scrapes (the counters alone).
	const scrapeMs = Number(process.env.FLEET_SCRAPE_MS ?? 5000)
	const scraper =
		o.metrics === 'on' && wsUrl && scrapeMs > 0
			? setInterval(() => {
					fetch(`${wsUrl!.replace(/^ws/, 'http')}/metrics`)
						.then((r) => r.text())
						.then(() => scrapes++)
						.catch(() => {})
				}, scrapeMs)
			: undefined

	const known = !o.url || o.providerKnown === true
	const packets = (await loadPackets(PACKETS)).map((p) => Buffer.from(p).toString('base64'))
	const protocols = protocolsFor(o.n, o.mix)
	const tag = Math.random().toString(36).slice(2, 8)
	const talkShare = o.scenario === 'talk' ? 1 : o.scenario === 'soak' ? o.talkShare : 0
	const slots = Math.max(1, o.workers)
	const plans: ToyPlan[] = Array.from({ length: slots }, () => ({
		url: wsUrl as string,
		secret: o.secret,
		scenario: o.scenario,
		toys: [],
		rampMs: o.rampMs,
		heartbeatMs: o.heartbeatMs,
		talkShare,
		pauseMs: o.pauseMs,
		bargeInShare: o.bargeInShare,
		providerLatencyMs: known ? o.latencyMs : null,
		answerMs: known ? o.answerMs : null,
		ingestProbeEvery: 10,
		reconnect: true,
		backoffMs: [500, 8000],
		answerTimeoutMs: o.latencyMs + o.answerMs + 15_000,
		packets,
	}))
	protocols.forEach((p, i) => plans[i % slots].toys.push({ id: `fleet-${tag}-${i}`, protocol: p }))

	log(`${o.scenario}: ${o.n} toys over ${o.workers || 'no'} worker process(es), ramp ${o.rampMs} ms`)
	const driver = drive(plans, o.workers === 0, workerCpus, needFds)
	const genBefore = () => driver.pids.map((p) => sampleProc(p))
	await driver.connected
	const connectedHeld = driver.held()
	log(`connected: ${connectedHeld}/${o.n} after ${Math.round(performance.now() - started)} ms`)

	const timeline: TimelinePoint[] = []
	const t0 = performance.now()
	let prev = sample()
	const ticker = setInterval(() => {
		const s = sample()
		if (s && prev) timeline.push({ s: Math.round((s.at - t0) / 100) / 10, cpu: cpuPercent(prev, s), rssKiB: s.rssKiB, held: driver.held() })
		prev = s
	}, 1000)

	let stormRecoveryMs: number | null = null
	let windowStart: ProcSample | null
	let genStart: Array<ProcSample | null>
	if (o.scenario === 'storm') {
		if (!gw) throw new Error('storm restarts the gateway, so it needs a gateway started here (no --url)')
		await Bun.sleep(2000)
		windowStart = sample()
		genStart = genBefore()
		log('restarting the gateway: every toy gets 1012 and comes back with jittered backoff')
		const restartAt = performance.now()
		await gw.restart()
		// A new process: CPU and memory are measured on it from here.
		prev = sample()
		windowStart = prev
		const deadline = restartAt + o.durationMs
		// Wait until the fleet is back, then a few seconds more so the figures include its settling.
		while (performance.now() < deadline) {
			await Bun.sleep(250)
			if (performance.now() - restartAt > 2000 && driver.held() >= connectedHeld) {
				stormRecoveryMs = Math.round(performance.now() - restartAt)
				break
			}
		}
		log(stormRecoveryMs === null ? `not every toy was back within ${o.durationMs} ms` : `fleet back in ${stormRecoveryMs} ms`)
		await Bun.sleep(3000)
	} else {
		// Let the connect burst settle out of the measured window.
		await Bun.sleep(o.scenario === 'idle' ? 3000 : 0)
		windowStart = sample()
		genStart = genBefore()
		await Bun.sleep(o.durationMs)
	}
	const windowEnd = sample()
	clearInterval(scraper)
	if (o.metrics === 'on') log(`${scrapes} scrapes of /metrics during the run`)
	const genEnd = driver.pids.map((p) => sampleProc(p))
	clearInterval(ticker)
	const held = driver.held()
	const r = await driver.stop()
	const logTail = gw?.logTail() ?? []
	await gw?.stop()

	const windowS = windowStart && windowEnd ? (windowEnd.at - windowStart.at) / 1000 : o.durationMs / 1000
	const activeS = o.scenario === 'storm' ? windowS : o.durationMs / 1000
	const cpuSeries = timeline.map((p) => p.cpu)
	const genCpu = genStart.reduce<number | null>((sum, a, i) => {
		const b = genEnd[i]
		return a && b && sum !== null ? sum + cpuPercent(a, b) : null
	}, driver.pids.length > 0 ? 0 : null)
	const rssKiB = windowEnd?.rssKiB ?? null
	const eos = summarize(r.endOfSpeechToFirstFrameMs)
	const io =
		windowStart?.rchar != null && windowEnd?.rchar != null && windowStart.wchar != null && windowEnd.wchar != null && held > 0
			? Math.round((windowEnd.rchar - windowStart.rchar + windowEnd.wchar - windowStart.wchar) / held / windowS)
			: null
	const figures: RunFigures = {
		connectionsHeld: held,
		handshakeSuccessRate: r.handshakes.attempted ? Math.round((10000 * r.handshakes.ok) / r.handshakes.attempted) / 100 : 0,
		handshakeMs: summarize(r.handshakes.ms),
		handshakeFailures: r.handshakes.failures,
		unexpectedCloses: r.unexpectedCloses,
		turns: r.turns,
		uplinkFramesPerSec: Math.round(r.uplinkFrames / activeS),
		downlinkFramesPerSec: Math.round(r.downlinkFrames / activeS),
		ingestMs: summarize(r.ingestMs),
		heartbeatRttMs: summarize(r.heartbeatRttMs),
		endOfSpeechToFirstFrameMs: eos,
		gatewayAddedMs: o.url && !o.providerKnown ? summarize([]) : shift(eos, o.latencyMs),
		fixedLineFirstFrameMs: summarize(r.fixedLineFirstFrameMs),
		providerToFirstFrameMs: summarize(r.providerToFirstFrameMs),
		pacingJitterMs: summarize(r.pacingJitterMs),
		bargeInStopMs: summarize(r.bargeInStopMs),
		reconnectMs: summarize(r.reconnectMs),
		stormRecoveryMs,
		framesLost: r.framesLost,
		seqGaps: r.seqGaps,
		uplinkSendFailures: r.uplinkSendFailures,
		clientErrors: r.errors,
		gateway: {
			pid: gatewayPid(),
			cpuPercentAvg: windowStart && windowEnd ? cpuPercent(windowStart, windowEnd) : null,
			cpuPercentMax: cpuSeries.length ? Math.max(...cpuSeries) : null,
			rssBaselineKiB: baseline?.rssKiB ?? null,
			rssKiB,
			rssMaxKiB: timeline.length ? Math.max(...timeline.map((p) => p.rssKiB)) : rssKiB,
			rssPerConnectionKiB: baseline && rssKiB !== null && held > 0 ? Math.round((10 * (rssKiB - baseline.rssKiB)) / held) / 10 : null,
			ioBytesPerConnectionPerSec: io,
		},
		client: {
			uplinkBytesPerToyPerSec: Math.round(r.uplinkBytes / Math.max(1, o.n) / activeS),
			downlinkBytesPerToyPerSec: Math.round(r.downlinkBytes / Math.max(1, o.n) / activeS),
		},
		generator: { workers: o.workers, cpuPercent: genCpu, cpus: workerCpus ?? (o.workers === 0 ? 'in-process' : 'any') },
		gatewayLogTail: logTail.slice(-40),
	}
	const { secret: _secret, log: _log, ...options } = o
	return { options, figures, timeline, startedAt, elapsedMs: Math.round(performance.now() - started) }
}
