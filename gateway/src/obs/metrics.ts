import { Counter, Gauge, Registry } from 'prom-client'
import { type HistogramSummary, LatencyHistogram, PACING_BUCKETS_MS, STAGE_BUCKETS_MS } from './latency-histogram'

// The gateway's Prometheus metrics (docs/operations.md lists every name). One registry per
// gateway, made in gateway.ts and injected; nothing here is module-level.
// ! Per-frame cost: the hot path only increments plain numbers on `hot` or observes a
//   LatencyHistogram; prom-client reads them when scraped (collect callbacks). No label is ever a
//   device, child or session id, so the series count stays fixed however many toys connect.

/** Plain counters bumped on the hot path (frames, turns, drops). Read only at scrape time. */
export class HotCounters {
	/** WebSocket messages received from toys (audio and control). */
	framesIn = 0
	/** WebSocket messages sent to toys (audio and control). */
	framesOut = 0
	/** Downlink audio frames not sent because the toy read too slowly. */
	audioFramesDropped = 0
	/** Answers whose rest was dropped, and sockets closed, because a toy's send buffer filled. */
	answersCut = 0
	socketsCut = 0
	turnsStarted = 0
	turnsAnswered = 0
	turnsInterrupted = 0
	turnsFailed = 0
	/** Asks dropped because the child went on after the pause they ended on: part of the next turn. */
	turnsContinued = 0
	providerRetries = 0
	providerErrors = 0
	/** Refusals by limit name (the names gateway.ts gives its limiters: conn, claim, rest, …, and turn). */
	rateLimited: Record<string, number> = { conn: 0, turn: 0 }
	storeErrors = { postgres: 0, redis: 0 }
	resumed = { local: 0, redis: 0 }
	fleetCommands = { sent: 0, received: 0, undelivered: 0 }
	/** Work refused under overload (session/admission.ts): turns that got the busy line, connections refused. */
	admissionShed = { turn: 0, connection: 0 }
}

export type RateLimitName = keyof HotCounters['rateLimited']

/** What the gauges read at scrape time; wired in gateway.ts from the parts that know. */
export interface MetricSources {
	node: string
	codec: string
	connectionsByProtocol(): Record<string, number>
	sessionsByState(): Record<string, number>
	circuitState(): 'closed' | 'open' | 'half-open' | 'none'
	answersEncoding(): number
	/** How late the pacing tick fires, smoothed over ~1 s (ms): the admission control's load signal. */
	pacingLateMs(): number
	writes(): { pending: number; waiting: boolean; refused: number; dropped: number }
	/** 1 while Redis is configured but unreachable (node-local state), 0 otherwise; null without Redis. */
	redisDegraded(): number | null
	draining(): boolean
}

const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const

export class Metrics {
	readonly registry = new Registry()
	readonly hot = new HotCounters()
	readonly startedAt = Date.now()
	readonly handshake = this.histogram('teddy_handshake_seconds', 'Device WebSocket handshake: upgrade request to session ready (auth, store lookups)')
	readonly endOfSpeechToProviderStart = this.histogram(
		'teddy_end_of_speech_to_provider_start_seconds',
		'End of the child speech (or a typed turn) to the AI provider being called (safety context, moderation set-up)',
	)
	readonly firstByteToFirstFrame = this.histogram(
		'teddy_provider_first_byte_to_first_frame_seconds',
		'First answer audio from the AI provider to the first downlink frame handed to the socket (resample, encode, safety)',
	)
	readonly endOfSpeechToFirstFrame = this.histogram('teddy_end_of_speech_to_first_frame_seconds', 'End of the child speech to the first answer frame handed to the socket')
	readonly pacingLateness = new LatencyHistogram(
		'teddy_pacing_lateness_seconds',
		'How late each paced downlink frame left against its schedule (timer and event-loop lag; under one frame is inaudible)',
		PACING_BUCKETS_MS,
	)
	private sources: MetricSources | undefined

	constructor() {
		this.registry.registerMetric(this.pacingLateness as never)
		const h = this.hot
		this.counter('teddy_frames_total', 'WebSocket frames exchanged with toys', ['direction'], (c) => {
			c.labels('in').inc(h.framesIn)
			c.labels('out').inc(h.framesOut)
		})
		this.counter('teddy_audio_frames_dropped_total', 'Downlink audio frames dropped because the toy read too slowly', [], (c) => c.inc(h.audioFramesDropped))
		this.counter('teddy_send_buffer_cuts_total', 'A toy stopped reading: rest of an answer dropped, or socket closed at the send-buffer cap', ['action'], (c) => {
			c.labels('answer_dropped').inc(h.answersCut)
			c.labels('socket_closed').inc(h.socketsCut)
		})
		this.counter('teddy_turns_total', 'Conversation turns by outcome (started counts every ask; continued: the child went on after the pause it ended on, so the next ask has it)', ['outcome'], (c) => {
			c.labels('started').inc(h.turnsStarted)
			c.labels('answered').inc(h.turnsAnswered)
			c.labels('interrupted').inc(h.turnsInterrupted)
			c.labels('failed').inc(h.turnsFailed)
			c.labels('continued').inc(h.turnsContinued)
		})
		this.counter('teddy_provider_retries_total', 'AI provider calls retried after a transient failure', [], (c) => c.inc(h.providerRetries))
		this.counter('teddy_provider_errors_total', 'AI provider turns that failed (the child heard a fallback line)', [], (c) => c.inc(h.providerErrors))
		this.counter('teddy_rate_limited_total', 'Requests refused by a rate limit', ['limit'], (c) => {
			for (const [k, v] of Object.entries(h.rateLimited)) c.labels(k).inc(v)
		})
		this.counter('teddy_store_errors_total', 'Errors talking to PostgreSQL (writes found it unreachable) or Redis (connection errors, failed commands)', ['store'], (c) => {
			for (const [k, v] of Object.entries(h.storeErrors)) c.labels(k).inc(v)
		})
		this.counter('teddy_sessions_resumed_total', 'Sessions that resumed a conversation context after a reconnect, by where it was kept', ['source'], (c) => {
			for (const [k, v] of Object.entries(h.resumed)) c.labels(k).inc(v)
		})
		this.counter('teddy_fleet_commands_total', 'Cross-node device commands: sent to another node, received from one, undelivered (no node held the toy)', ['outcome'], (c) => {
			for (const [k, v] of Object.entries(h.fleetCommands)) c.labels(k).inc(v)
		})
		this.counter('teddy_admission_shed_total', 'Work refused because the gateway was overloaded: turns answered with the busy line, connections refused with 1012', ['kind'], (c) => {
			c.labels('turn').inc(h.admissionShed.turn)
			c.labels('connection').inc(h.admissionShed.connection)
		})
		this.gauge('teddy_connected_toys', 'Toys holding a WebSocket on this gateway, by wire protocol', ['protocol'], (g, s) => {
			for (const [k, v] of Object.entries(s.connectionsByProtocol())) g.labels(k).set(v)
		})
		this.gauge('teddy_sessions', 'Sessions on this gateway by state', ['state'], (g, s) => {
			for (const [k, v] of Object.entries(s.sessionsByState())) g.labels(k).set(v)
		})
		this.gauge('teddy_provider_circuit_state', 'AI provider circuit breaker: 1 for the current state', ['state'], (g, s) => {
			const now = s.circuitState()
			for (const st of CIRCUIT_STATES) g.labels(st).set(now === st ? 1 : 0)
		})
		this.gauge('teddy_codec_info', 'Which codec path runs: 1 for the active one', ['codec'], (g, s) => g.labels(s.codec).set(1))
		this.gauge('teddy_encode_answers_in_flight', 'Answers being Opus-encoded right now (the encode queue the threads share)', [], (g, s) => g.set(s.answersEncoding()))
		this.gauge('teddy_pacing_tick_lateness_seconds', 'How late the 10 ms pacing tick fires, smoothed over about a second (the admission control load signal)', [], (g, s) =>
			g.set(s.pacingLateMs() / 1000),
		)
		this.gauge('teddy_write_backlog_pending', 'Turn writes not yet stored (grows while PostgreSQL is unreachable)', [], (g, s) => g.set(s.writes().pending))
		this.gauge('teddy_write_backlog_waiting', '1 while turn writes wait for PostgreSQL to come back', [], (g, s) => g.set(s.writes().waiting ? 1 : 0))
		this.gauge('teddy_write_backlog_refused', 'Turn writes refused (backlog full) since start', [], (g, s) => g.set(s.writes().refused))
		this.gauge('teddy_write_backlog_dropped', 'Turn writes the database refused for their content since start', [], (g, s) => g.set(s.writes().dropped))
		this.gauge('teddy_redis_degraded', '1 while Redis is configured but unreachable and this node runs on node-local state', [], (g, s) => {
			const v = s.redisDegraded()
			if (v !== null) g.set(v)
		})
		this.gauge('teddy_draining', '1 while this gateway drains for shutdown', [], (g, s) => g.set(s.draining() ? 1 : 0))
		this.gauge('teddy_node_info', 'This gateway node: 1, labelled with its fleet node id', ['node'], (g, s) => g.labels(s.node).set(1))
		this.gauge('teddy_uptime_seconds', 'Seconds since this gateway started', [], (g) => g.set(Math.round((Date.now() - this.startedAt) / 1000)))
	}

	/** Connects the gauges to what they read; until then they report nothing. */
	watch(sources: MetricSources): void {
		this.sources = sources
	}

	get contentType(): string {
		return this.registry.contentType
	}

	text(): Promise<string> {
		return this.registry.metrics()
	}

	/** The same figures as JSON, for GET /api/v1/esp32/metrics. */
	snapshot() {
		const s = this.sources
		const h = this.hot
		const latency: Record<string, HistogramSummary> = {
			handshake: this.handshake.summary(),
			end_of_speech_to_provider_start: this.endOfSpeechToProviderStart.summary(),
			provider_first_byte_to_first_frame: this.firstByteToFirstFrame.summary(),
			end_of_speech_to_first_frame: this.endOfSpeechToFirstFrame.summary(),
			pacing_lateness: this.pacingLateness.summary(),
		}
		return {
			node: s?.node ?? '',
			uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
			codec: s?.codec ?? '',
			draining: s?.draining() ?? false,
			connections: s?.connectionsByProtocol() ?? {},
			sessions: s?.sessionsByState() ?? {},
			turns: { started: h.turnsStarted, answered: h.turnsAnswered, interrupted: h.turnsInterrupted, failed: h.turnsFailed, continued: h.turnsContinued },
			frames: { in: h.framesIn, out: h.framesOut, audio_dropped: h.audioFramesDropped },
			send_buffer_cuts: { answer_dropped: h.answersCut, socket_closed: h.socketsCut },
			provider: { retries: h.providerRetries, errors: h.providerErrors, circuit: s?.circuitState() ?? 'none' },
			encode_answers_in_flight: s?.answersEncoding() ?? 0,
			admission: { pacing_late_ms: s?.pacingLateMs() ?? 0, shed_turns: h.admissionShed.turn, shed_connections: h.admissionShed.connection },
			rate_limited: { ...h.rateLimited },
			store_errors: { ...h.storeErrors },
			write_backlog: s?.writes() ?? { pending: 0, waiting: false, refused: 0, dropped: 0 },
			redis_degraded: s ? s.redisDegraded() === 1 : false,
			resumed: { ...h.resumed },
			fleet_commands: { ...h.fleetCommands },
			latency_ms: latency,
		}
	}

	private histogram(name: string, help: string): LatencyHistogram {
		const hist = new LatencyHistogram(name, help, STAGE_BUCKETS_MS)
		this.registry.registerMetric(hist as never)
		return hist
	}

	// ? Counters mirror plain numbers: collect() resets and re-adds, so prom-client never sees a decrease.
	private counter<L extends string>(name: string, help: string, labelNames: L[], read: (c: Counter<L>) => void): void {
		new Counter<L>({
			name,
			help,
			labelNames,
			registers: [this.registry],
			collect() {
				this.reset()
				read(this)
			},
		})
	}

	private gauge<L extends string>(name: string, help: string, labelNames: L[], read: (g: Gauge<L>, s: MetricSources) => void): void {
		const metrics = this
		new Gauge<L>({
			name,
			help,
			labelNames,
			registers: [this.registry],
			collect() {
				this.reset()
				if (metrics.sources) read(this, metrics.sources)
			},
		})
	}
}

export type MetricsSnapshot = ReturnType<Metrics['snapshot']>
