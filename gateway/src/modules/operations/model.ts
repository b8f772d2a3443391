import { t } from 'elysia'
import { DeviceMessage } from '../../ws/fleet-node'

export const ErrorBody = t.Object({ code: t.String(), message: t.String() })

const Latency = t.Object({
	count: t.Integer(),
	p50: t.Union([t.Number(), t.Null()]),
	p95: t.Union([t.Number(), t.Null()]),
	p99: t.Union([t.Number(), t.Null()]),
	mean: t.Union([t.Number(), t.Null()]),
})

/** GET /api/v1/esp32/metrics: the figures /metrics exposes, as JSON (docs/operations.md names each). */
export const MetricsJson = t.Object({
	node: t.String(),
	uptime_s: t.Integer(),
	codec: t.String(),
	draining: t.Boolean(),
	connections: t.Record(t.String(), t.Integer(), { description: 'toys connected here by wire protocol' }),
	sessions: t.Record(t.String(), t.Integer(), { description: 'sessions here by state' }),
	turns: t.Object({ started: t.Integer(), answered: t.Integer(), interrupted: t.Integer(), failed: t.Integer() }),
	frames: t.Object({ in: t.Integer(), out: t.Integer(), audio_dropped: t.Integer() }),
	send_buffer_cuts: t.Object({ answer_dropped: t.Integer(), socket_closed: t.Integer() }),
	provider: t.Object({ retries: t.Integer(), errors: t.Integer(), circuit: t.String() }),
	encode_answers_in_flight: t.Integer(),
	admission: t.Object(
		{ pacing_late_ms: t.Number(), shed_turns: t.Integer(), shed_connections: t.Integer() },
		{ description: 'overload control: the smoothed pacing tick lateness it acts on, and the turns and connections it shed' },
	),
	rate_limited: t.Record(t.String(), t.Integer()),
	store_errors: t.Record(t.String(), t.Integer()),
	write_backlog: t.Object({ pending: t.Integer(), waiting: t.Boolean(), refused: t.Integer(), dropped: t.Integer() }),
	redis_degraded: t.Boolean(),
	resumed: t.Record(t.String(), t.Integer()),
	fleet_commands: t.Record(t.String(), t.Integer()),
	latency_ms: t.Record(t.String(), Latency, { description: 'per stage, from fixed buckets: each quantile is the upper bound of its bucket' }),
})

export const DeviceCommand = t.Object({ type: t.Literal('send'), message: DeviceMessage })

export const CommandResult = t.Object({
	delivered: t.Union([t.Literal('local'), t.Literal('remote')], { description: 'carried out on this node, or handed to the node that holds the toy' }),
})
