// One fleet run: start (or target) a gateway, spread the toys over worker processes, let the
// scenario play, sample the gateway's /proc every second, and merge everything into figures.

import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { loadPackets } from '../lib/packets'
import { ToyFleet, emptyResult } from './fleet'
import { type GatewayHandle, launcher, startGatewayProcess } from './gateway-proc'
import { type BenchPostgres, startBenchPostgres } from './postgres'
import { cpuPercent, type ProcSample, sampleProc } from './proc'
import { countStoredTurns, pairToys } from './households'
import { perConnectionKiB, type Summary, shift, summarize } from './stats'
import type { ListenMode, ParentToWorker, Scenario, ToyPlan, ToyProtocol, ToyResult, WorkerToParent } from './types'
import { silencePackets, vadEndFrames } from './uplink-audio'

export interface RunOptions {
	scenario: Scenario
	n: number
	/** Measured window after every toy is connected (storm: the longest wait for the fleet to return). */
	durationMs: number
	rampMs: number
	/** Worker processes; 0 runs the toys in this process (smoke test). */
	workers: number
	mix: Partial<Record<ToyProtocol, number>>
	/** How the xiaozhi toys listen, by weight (seed-json toys are always manual). */
	listen: Partial<Record<ListenMode, number>>
	/**
	 * Toys paired to children of families that consented, so every turn stores its rows (needs
	 * PostgreSQL: a private one pinned with the generator unless databaseUrl is given).
	 */
	paired: boolean
	/** 'production' or 'lighter path': only a label for the report; the options above make the path. */
	path: 'production' | 'lighter'
	/** Gateway LOG_LEVEL (production: info). */
	logLevel: string
	/** Fake provider answers as 24 kHz PCM (the gateway encodes) or Ogg Opus in 20 ms packets (repacketized, passed through). */
	answerFormat: 'pcm' | 'ogg20'
	/** With url and paired: the gateway's ENCRYPTION_KEY (hex), so the children are sealed as it reads them. */
	encryptionKey?: string
	/** GATEWAY_PROCESSES: gateway processes sharing the port. */
	processes: number
	/** With url: what answers there (the report's header); otherwise read from /health/ready. */
	providerName?: string
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
	/**
	 * One RSS baseline per process count for a whole invocation (a sweep's steps, a compare's
	 * rounds): the first fresh gateway's, taken once it settled. Filled in by the first run.
	 */
	rssBaseline?: Record<number, number | null>
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
	endpointMs: Summary
	anyFirstFrameMs: Summary
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
	/** null: the answer length is not known (external gateway), so loss cannot be counted. */
	framesLost: number | null
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
	generator: { workers: number; cpuPercent: number | null; cpus: string; sharesGatewayCores: boolean }
	/** The bench's own PostgreSQL (pinned with the generator); null when none was started here. */
	postgres: { cpuPercent: number | null; cpus: string } | null
	/** Rows the turns wrote (paired toys only): conversations and messages of this run's toys. */
	stored: { conversations: number; messages: number } | null
	provider: string
	providerKnown: boolean
	gatewayCpus: string
	gatewayLogTail: string[]
}

export interface RunResult {
	options: Omit<RunOptions, 'secret' | 'log' | 'rssBaseline' | 'encryptionKey'>
	figures: RunFigures
	timeline: TimelinePoint[]
	startedAt: string
	elapsedMs: number
}

const PACKETS = join(import.meta.dir, '..', 'assets', 'speech-16k.opuspackets')
const WORKER = join(import.meta.dir, 'worker.ts')

function protocolsFor<K extends string>(n: number, mix: Partial<Record<K, number>>): K[] {
	const entries = Object.entries(mix).filter(([, w]) => ((w as number | undefined) ?? 0) > 0) as Array<[K, number]>
	const total = entries.reduce((s, [, w]) => s + w, 0)
	const out: K[] = []
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
		'endpointMs',
		'anyFirstFrameMs',
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
		// FLEET_WORKER_BUN_ARGS (e.g. "--preload <file>") instruments the load generator, as FLEET_GATEWAY_BUN_ARGS the gateway.
		Bun.spawn(launcher(['bun', ...(process.env.FLEET_WORKER_BUN_ARGS ?? '').split(' ').filter(Boolean), WORKER], needFds, cpus), {
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
	// ? k gateway processes get cores 0..k-1 and the generator the rest. With as many processes as
	//   cores there is no core left: the generator shares them, and its CPU is reported to subtract.
	const gwCores = o.url ? 0 : Math.min(o.processes, cores)
	const shared = pin && gwCores >= cores
	const gatewayCpus = pin && !o.url ? (gwCores === 1 ? '0' : `0-${gwCores - 1}`) : undefined
	const rest = shared ? `0-${cores - 1}` : o.url ? `1-${cores - 1}` : `${gwCores}-${cores - 1}`
	const workerCpus = pin ? rest.replace(/^(\d+)-\1$/, '$1') : undefined
	// The orchestrator (IPC, log reading, sampling) runs with the generator, not on the gateway's core.
	if (workerCpus) Bun.spawnSync(['taskset', '-a', '-p', '-c', workerCpus, String(process.pid)])
	const perWorker = Math.ceil(o.n / Math.max(1, o.workers))
	// Each socket is a file; a little slack for the runtime's own.
	const needFds = Math.max(o.n, perWorker) + 256

	let gw: GatewayHandle | undefined
	let wsUrl = o.url
	let pg: BenchPostgres | undefined
	let databaseUrl = o.databaseUrl
	const encryptionKey = o.encryptionKey ?? randomBytes(32).toString('hex')
	if (o.paired && !databaseUrl && !o.url) {
		pg = await startBenchPostgres(workerCpus)
		databaseUrl = pg.url
		log(`private PostgreSQL on ${pg.url}${workerCpus ? `, pinned to cpu ${workerCpus}` : ''}`)
	}
	if (o.paired && o.url && (!databaseUrl || !o.encryptionKey)) {
		throw new Error('paired toys against --url need --database-url and ENCRYPTION_KEY (the gateway\'s) to pair them and count their rows; or --no-pair')
	}
	if (!wsUrl) {
		log(
			`starting gateway (codec ${o.codec}, ${o.processes} process(es), fake provider ${o.answerFormat} ${o.latencyMs} ms / ${o.answerMs} ms${gatewayCpus ? `, pinned to cpu ${gatewayCpus}` : ''})`,
		)
		gw = await startGatewayProcess(
			{
				codec: o.codec,
				secret: o.secret,
				latencyMs: o.latencyMs,
				answerMs: o.answerMs,
				cpus: gatewayCpus,
				databaseUrl,
				env: {
					...(o.metrics ? { METRICS: o.metrics } : {}),
					LOG_LEVEL: o.logLevel,
					FAKE_PROVIDER_FORMAT: o.answerFormat === 'ogg20' ? 'opus20' : 'pcm',
					GATEWAY_PROCESSES: String(o.processes),
					...(o.paired ? { ENCRYPTION_KEY: encryptionKey } : {}),
				},
			},
			needFds,
		)
		wsUrl = gw.wsUrl
	}
	const provider = o.providerName ?? (await providerOf(wsUrl))
	const gatewayPid = () => gw?.pid ?? o.gatewayPid ?? null
	const sample = () => {
		const pid = gatewayPid()
		return pid ? sampleProc(pid) : null
	}
	// ? Settled (lazy set-up done) before the baseline: one per invocation, not one per step.
	await Bun.sleep(2000)
	if (o.rssBaseline && !(o.processes in o.rssBaseline)) o.rssBaseline[o.processes] = sample()?.rssKiB ?? null
	const baselineKiB = o.rssBaseline?.[o.processes] ?? sample()?.rssKiB ?? null
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
	const speech = await loadPackets(PACKETS)
	const packets = speech.map((p) => Buffer.from(p).toString('base64'))
	const silence = silencePackets(o.codec)
	const vadEnd = vadEndFrames(o.codec, speech, silence, Math.round(o.pauseMs[1] / 60))
	const protocols = protocolsFor(o.n, o.mix)
	const listens = protocolsFor(o.n, o.listen)
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
		providerKnown: known,
		ingestProbeEvery: 10,
		reconnect: true,
		backoffMs: [500, 8000],
		// ? No audio 15 s after the provider's latency; once audio flows, the deadline follows what arrived.
		answerTimeoutMs: (known ? o.latencyMs : 0) + 15_000,
		playbackGraceMs: 5000,
		packets,
		silence: silence.map((p) => Buffer.from(p).toString('base64')),
		vadEndFrame: vadEnd,
	}))
	const toys = protocols.map((p, i) => ({ id: `fleet-${tag}-${i}`, protocol: p, listen: (p === 'seed' ? 'manual' : listens[i]) as ListenMode }))
	toys.forEach((t, i) => plans[i % slots].toys.push(t))
	if (o.paired && databaseUrl) {
		const t = performance.now()
		await pairToys(databaseUrl, encryptionKey, toys.map((t) => t.id))
		log(`paired ${toys.length} toys to consented children in ${Math.round(performance.now() - t)} ms`)
	}

	log(`${o.scenario}: ${o.n} toys over ${o.workers || 'no'} worker process(es), ramp ${o.rampMs} ms`)
	const driver = drive(plans, o.workers === 0, workerCpus, needFds)
	const genBefore = () => driver.pids.map((p) => sampleProc(p))
	const pgSample = () => (pg ? sampleProc(pg.pid) : null)
	let pgStart: ProcSample | null = null
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
		pgStart = pgSample()
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
		pgStart = pgSample()
		await Bun.sleep(o.durationMs)
	}
	const windowEnd = sample()
	const pgEnd = pgSample()
	clearInterval(scraper)
	if (o.metrics === 'on') log(`${scrapes} scrapes of /metrics during the run`)
	const genEnd = driver.pids.map((p) => sampleProc(p))
	clearInterval(ticker)
	const held = driver.held()
	const r = await driver.stop()
	const logTail = gw?.logTail() ?? []
	// ? After the gateway drained its write backlog: rows still queued at the stop would be lost rows.
	await gw?.stop()
	let stored: RunFigures['stored'] = null
	if (o.paired && databaseUrl) {
		stored = await countStoredTurns(databaseUrl, `fleet-${tag}-%`).catch((err) => {
			log(`could not count stored rows: ${(err as Error).message}`)
			return null
		})
	}
	await pg?.stop()

	const windowS = windowStart && windowEnd ? (windowEnd.at - windowStart.at) / 1000 : o.durationMs / 1000
	const activeS = o.scenario === 'storm' ? windowS : o.durationMs / 1000
	const cpuSeries = timeline.map((p) => p.cpu)
	const genCpu = genStart.reduce<number | null>((sum, a, i) => {
		const b = genEnd[i]
		return a && b && sum !== null ? sum + cpuPercent(a, b) : null
	}, driver.pids.length > 0 ? 0 : null)
	const rssKiB = windowEnd?.rssKiB ?? null
	const eos = summarize(r.endOfSpeechToFirstFrameMs)
	const pgCpu = pgStart && pgEnd ? cpuPercent(pgStart, pgEnd) : null
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
		endpointMs: summarize(r.endpointMs),
		anyFirstFrameMs: summarize(r.anyFirstFrameMs),
		heartbeatRttMs: summarize(r.heartbeatRttMs),
		endOfSpeechToFirstFrameMs: eos,
		gatewayAddedMs: o.url && !o.providerKnown ? summarize([]) : shift(eos, o.latencyMs),
		fixedLineFirstFrameMs: summarize(r.fixedLineFirstFrameMs),
		providerToFirstFrameMs: summarize(r.providerToFirstFrameMs),
		pacingJitterMs: summarize(r.pacingJitterMs),
		bargeInStopMs: summarize(r.bargeInStopMs),
		reconnectMs: summarize(r.reconnectMs),
		stormRecoveryMs,
		framesLost: known ? r.framesLost : null,
		seqGaps: r.seqGaps,
		uplinkSendFailures: r.uplinkSendFailures,
		clientErrors: r.errors,
		gateway: {
			pid: gatewayPid(),
			cpuPercentAvg: windowStart && windowEnd ? cpuPercent(windowStart, windowEnd) : null,
			cpuPercentMax: cpuSeries.length ? Math.max(...cpuSeries) : null,
			rssBaselineKiB: baselineKiB,
			rssKiB,
			rssMaxKiB: timeline.length ? Math.max(...timeline.map((p) => p.rssKiB)) : rssKiB,
			rssPerConnectionKiB: perConnectionKiB(baselineKiB, rssKiB, held),
			ioBytesPerConnectionPerSec: io,
		},
		client: {
			uplinkBytesPerToyPerSec: Math.round(r.uplinkBytes / Math.max(1, o.n) / activeS),
			downlinkBytesPerToyPerSec: Math.round(r.downlinkBytes / Math.max(1, o.n) / activeS),
		},
		generator: { workers: o.workers, cpuPercent: genCpu, cpus: workerCpus ?? (o.workers === 0 ? 'in-process' : 'any'), sharesGatewayCores: shared || !pin },
		postgres: pg ? { cpuPercent: pgCpu, cpus: workerCpus ?? 'any' } : null,
		stored,
		provider,
		providerKnown: known,
		gatewayCpus: gatewayCpus ?? (o.url ? 'external' : 'any'),
		gatewayLogTail: logTail.slice(-40),
	}
	const { secret: _secret, log: _log, rssBaseline: _rss, encryptionKey: _key, ...options } = o
	return { options, figures, timeline, startedAt, elapsedMs: Math.round(performance.now() - started) }
}

/** What answers at the gateway, as its readiness says (provider name); 'unknown' if it does not say. */
async function providerOf(wsUrl: string): Promise<string> {
	// ? A few tries: an external gateway may still be starting when the bench is.
	for (let i = 0; i < 10; i++) {
		try {
			const res = await fetch(`${wsUrl.replace(/^ws/, 'http')}/health/ready`, { signal: AbortSignal.timeout(3000) })
			const body = (await res.json()) as { provider?: unknown }
			return typeof body.provider === 'string' ? body.provider : 'unknown'
		} catch {
			await Bun.sleep(500)
		}
	}
	return 'unknown'
}
