import { describe, expect, test } from 'bun:test'
import { LatencyHistogram } from '../../gateway/src/obs/latency-histogram'
import { Metrics } from '../../gateway/src/obs/metrics'
import { countingLimiters } from '../../gateway/src/operations'
import { Pacer, PacingClock } from '../../gateway/src/session/pacer'
import { MemoryRateLimiter } from '../../gateway/src/store/rate-limits'
import { parsePrometheus, sample } from '../support/prometheus-text'

// The per-frame side of metrics: plain counts and fixed buckets that prom-client reads at scrape
// time, exposed in the format a scraper parses.

describe('LatencyHistogram', () => {
	test('exposes cumulative buckets in seconds and reports bucket-bound quantiles', async () => {
		const h = new LatencyHistogram('t_stage_seconds', 'test', [1, 10, 100])
		for (const ms of [0.5, 2, 3, 4, 50, 500]) h.observe(ms)
		expect(h.summary()).toEqual({ count: 6, p50: 10, p95: 100, p99: 100, mean: 93.25 })
		const m = new Metrics()
		m.registry.registerMetric(h as never)
		const s = parsePrometheus(await m.text())
		expect(sample(s, 't_stage_seconds_bucket', { le: '0.001' })).toBe(1)
		expect(sample(s, 't_stage_seconds_bucket', { le: '0.01' })).toBe(4)
		expect(sample(s, 't_stage_seconds_bucket', { le: '0.1' })).toBe(5)
		expect(sample(s, 't_stage_seconds_bucket', { le: '+Inf' })).toBe(6)
		expect(sample(s, 't_stage_seconds_count')).toBe(6)
		expect(sample(s, 't_stage_seconds_sum')).toBeCloseTo(0.5595, 6)
	})

	test('an empty histogram has no quantiles', () => {
		expect(new LatencyHistogram('x', 'x', [1]).summary()).toEqual({ count: 0, p50: null, p95: null, p99: null, mean: null })
	})
})

describe('Metrics', () => {
	test('counters mirror the hot counts at each scrape and never go down', async () => {
		const m = new Metrics()
		m.hot.framesIn += 5
		m.hot.rateLimited.turn++
		let s = parsePrometheus(await m.text())
		expect(sample(s, 'teddy_frames_total', { direction: 'in' })).toBe(5)
		expect(sample(s, 'teddy_rate_limited_total', { limit: 'turn' })).toBe(1)
		m.hot.framesIn += 3
		s = parsePrometheus(await m.text())
		expect(sample(s, 'teddy_frames_total', { direction: 'in' })).toBe(8)
	})

	test('gauges read their sources only once watched', async () => {
		const m = new Metrics()
		expect(sample(parsePrometheus(await m.text()), 'teddy_connected_toys', { protocol: 'seed-json' })).toBeUndefined()
		m.watch({
			node: 'n1',
			codec: 'native',
			connectionsByProtocol: () => ({ 'seed-json': 2, 'xiaozhi-v3': 5 }),
			sessionsByState: () => ({ idle: 6, speaking: 1 }),
			circuitState: () => 'open',
			answersEncoding: () => 1,
			pacingLateMs: () => 0,
			writes: () => ({ pending: 3, waiting: true, refused: 0, dropped: 0 }),
			redisDegraded: () => 1,
			draining: () => false,
		})
		const s = parsePrometheus(await m.text())
		expect(sample(s, 'teddy_connected_toys', { protocol: 'xiaozhi-v3' })).toBe(5)
		expect(sample(s, 'teddy_provider_circuit_state', { state: 'open' })).toBe(1)
		expect(sample(s, 'teddy_provider_circuit_state', { state: 'closed' })).toBe(0)
		expect(sample(s, 'teddy_write_backlog_waiting')).toBe(1)
		expect(sample(s, 'teddy_redis_degraded')).toBe(1)
		expect(m.snapshot().connections).toEqual({ 'seed-json': 2, 'xiaozhi-v3': 5 })
	})
})

describe('rate-limit refusals', () => {
	test('every limiter the gateway makes counts its refusals under its own name', async () => {
		const m = new Metrics()
		const limiter = countingLimiters((_name, limit, windowMs) => new MemoryRateLimiter(limit, windowMs), m.hot)
		const parents = limiter('rest-parent', 2, 60_000)
		const claims = limiter('claim', 1, 60_000)
		for (let i = 0; i < 5; i++) await parents.take('203.0.113.7')
		expect(await claims.hit('203.0.113.7')).toBe(true)
		expect(await claims.hit('203.0.113.7')).toBe(false)
		const s = parsePrometheus(await m.text())
		expect(sample(s, 'teddy_rate_limited_total', { limit: 'rest-parent' })).toBe(3)
		expect(sample(s, 'teddy_rate_limited_total', { limit: 'claim' })).toBe(1)
		expect(sample(s, 'teddy_rate_limited_total', { limit: 'conn' })).toBe(0)
		for (const l of [parents, claims]) l.close?.()
	})
})

describe('pacing lateness', () => {
	test('frames of the burst are not counted; a frame sent late is, by how late', () => {
		const h = new LatencyHistogram('p', 'p', [1, 5, 10, 20, 40, 60, 120])
		const sent: number[] = []
		const pacer = new Pacer(new PacingClock(), { audio: () => sent.push(1), sentence() {}, end() {} }, 60, 5, h)
		for (let i = 0; i < 5; i++) pacer.push({ kind: 'audio', packet: new Uint8Array(1) })
		expect(sent.length).toBe(5)
		// four of the five burst frames went at once; the fifth fills the toy's buffer to burst-1
		const afterBurst = h.summary().count
		pacer.push({ kind: 'audio', packet: new Uint8Array(1) })
		const t0 = performance.now()
		pacer.pump(t0 + 60 + 25) // 25 ms after the sixth frame was due
		expect(sent.length).toBe(6)
		expect(h.summary().count).toBe(afterBurst + 1)
		// 25 ms late lands in the (20, 40] bucket
		expect(h.summary().p99).toBe(40)
		pacer.clear()
	})
})
