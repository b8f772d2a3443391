import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { MetricsSnapshot } from '../../gateway/src/obs/metrics'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { operatorToken } from '../support/fleet'
import { freePort } from '../support/private-postgres'
import { parsePrometheus, sample } from '../support/prometheus-text'
import { seedUrl } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// An operator scrapes /metrics after a toy held a spoken turn: the figures say what happened
// (a toy connected, a turn answered, frames both ways, each latency stage observed), nothing
// names a device or child, and the scrape is only open where config says so.

const METRICS_TOKEN = 'metrics-token-0123456789'
const AUTH_SECRET = 'd5'.repeat(32)
const ENCRYPTION_KEY = 'e6'.repeat(32)

let db: TestDatabase
let gw: GatewayProcess
let metricsPort: number

beforeAll(async () => {
	db = await createTestDatabase()
	metricsPort = await freePort()
	gw = await startGatewayProcess({
		DATABASE_URL: db.url,
		METRICS_TOKEN,
		METRICS_PORT: String(metricsPort),
		AUTH_SECRET,
		ENCRYPTION_KEY,
	})
})

afterAll(async () => {
	await gw?.stop()
	await db?.drop()
})

async function scrape(): Promise<ReturnType<typeof parsePrometheus>> {
	const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
	expect(res.status).toBe(200)
	expect(res.headers.get('content-type')).toContain('text/plain')
	return parsePrometheus(await res.text())
}

describe('metrics after a scripted turn', () => {
	test('/metrics counts the toy, its turn, its frames and every latency stage', async () => {
		const deviceId = 'metrics-toy-7f3a'
		const toy = new TestSocket(seedUrl(gw.wsUrl, { device_id: deviceId, child_name: 'Zoe Secretname' }))
		await toy.opened
		toy.send({ type: 'text', text: 'Tell me about stars' })
		await toy.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
		const audioFrames = toy.messages.filter((m) => m.type === 'audio_response' && m.final === false).length
		expect(audioFrames).toBeGreaterThan(0)

		const during = await scrape()
		expect(sample(during, 'teddy_connected_toys', { protocol: 'seed-json' })).toBe(1)
		expect(sample(during, 'teddy_sessions', { state: 'idle' })).toBe(1)
		expect(sample(during, 'teddy_turns_total', { outcome: 'started' })).toBe(1)
		expect(sample(during, 'teddy_turns_total', { outcome: 'answered' })).toBe(1)
		expect(sample(during, 'teddy_frames_total', { direction: 'in' })).toBeGreaterThanOrEqual(1)
		// every frame the toy read was counted out (plus the final piece)
		expect(sample(during, 'teddy_frames_total', { direction: 'out' })).toBeGreaterThanOrEqual(audioFrames + 1)
		expect(sample(during, 'teddy_handshake_seconds_count')).toBe(1)
		expect(sample(during, 'teddy_end_of_speech_to_first_frame_seconds_count')).toBe(1)
		expect(sample(during, 'teddy_end_of_speech_to_provider_start_seconds_count')).toBe(1)
		expect(sample(during, 'teddy_provider_first_byte_to_first_frame_seconds_count')).toBe(1)
		// the answer outlasts the 5-frame burst, so paced frames were timed
		expect(sample(during, 'teddy_pacing_lateness_seconds_count')).toBeGreaterThan(0)
		expect(sample(during, 'teddy_codec_info', { codec: 'native' }) ?? sample(during, 'teddy_codec_info', { codec: 'fallback' })).toBe(1)
		// the offline bear has no upstream, so no circuit state is current
		for (const state of ['closed', 'open', 'half-open']) expect(sample(during, 'teddy_provider_circuit_state', { state })).toBe(0)
		expect(sample(during, 'teddy_write_backlog_pending')).toBe(0)
		expect(sample(during, 'teddy_draining')).toBe(0)

		const text = await (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text()
		// ! no label per device or child: the series count stays fixed however many toys connect
		expect(text).not.toContain(deviceId)
		expect(text).not.toContain('Secretname')

		toy.close()
		await toy.closed
		for (let i = 0; i < 50 && sample(await scrape(), 'teddy_connected_toys', { protocol: 'seed-json' }) !== 0; i++) await Bun.sleep(50)
		expect(sample(await scrape(), 'teddy_connected_toys', { protocol: 'seed-json' })).toBe(0)
	})

	test('the main port wants the metrics bearer; the private port serves the scrape alone', async () => {
		const none = await fetch(`${gw.url}/metrics`)
		expect(none.status).toBe(401)
		expect(((await none.json()) as { code: string }).code).toBe('UNAUTHORIZED')
		const wrong = await fetch(`${gw.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } })
		expect(wrong.status).toBe(401)

		const priv = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
		expect(priv.status).toBe(200)
		expect(sample(parsePrometheus(await priv.text()), 'teddy_turns_total', { outcome: 'answered' })).toBeGreaterThanOrEqual(1)
		// nothing else is served there
		expect((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status).toBe(404)
	})

	test('GET /api/v1/esp32/metrics gives an operator the same figures as JSON', async () => {
		expect((await fetch(`${gw.url}/api/v1/esp32/metrics`)).status).toBe(401)
		// ? Parents are refused by the same guard (test/integration/operator.test.ts); a forged token here.
		const forged = await fetch(`${gw.url}/api/v1/esp32/metrics`, { headers: { authorization: 'Bearer some-made-up-token-123456' } })
		expect(forged.status).toBe(401)
		expect(((await forged.json()) as { code: string }).code).toBe('UNAUTHORIZED')

		const op = await operatorToken(gw, { DATABASE_URL: db.url, AUTH_SECRET, ENCRYPTION_KEY })
		const res = await fetch(`${gw.url}/api/v1/esp32/metrics`, { headers: { authorization: `Bearer ${op}` } })
		expect(res.status).toBe(200)
		const body = (await res.json()) as MetricsSnapshot
		const prom = await scrape()
		expect(body.turns.answered).toBe(sample(prom, 'teddy_turns_total', { outcome: 'answered' }) as number)
		expect(body.frames.out).toBeGreaterThan(0)
		expect(body.latency_ms.end_of_speech_to_first_frame.count).toBe(1)
		expect(body.latency_ms.end_of_speech_to_first_frame.p99).toBeGreaterThan(0)
		expect(body.connections['seed-json']).toBe(0)
		expect(typeof body.node).toBe('string')
	})
})

describe('metrics switched off', () => {
	test('METRICS=off serves no /metrics and the toy still talks', async () => {
		const off = await startGatewayProcess({ DATABASE_URL: db.url, METRICS: 'off' })
		try {
			const res = await fetch(`${off.url}/metrics`)
			expect(res.status).toBe(404)
			const toy = new TestSocket(seedUrl(off.wsUrl, { device_id: 'metrics-off-toy' }))
			await toy.opened
			toy.send({ type: 'text', text: 'Hello bear' })
			await toy.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
			toy.close()
		} finally {
			await off.stop()
		}
	})
})
