import { afterAll, beforeAll, expect, test } from 'bun:test'
import { runScenario } from '../../bench/fleet/run'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'

// A small fixed fleet through the whole gateway: 50 toys (binary v3 and seed-json) talk for 20 s
// to the fake provider. Nothing may be lost and every turn must be answered. The benchmark
// figures (latency, CPU) are printed, not asserted: this is a correctness run, not a timing one.

const LATENCY_MS = 150
const ANSWER_MS = 1200

let gw: GatewayProcess
let db: TestDatabase

beforeAll(async () => {
	db = await createTestDatabase()
	gw = await startGatewayProcess({
		DATABASE_URL: db.url,
		TEDDY_PROVIDER: 'fake',
		FAKE_PROVIDER_LATENCY_MS: String(LATENCY_MS),
		FAKE_PROVIDER_ANSWER_MS: String(ANSWER_MS),
	})
})

afterAll(async () => {
	await gw?.stop()
	await db?.drop()
})

test('50 toys talking for 20 s: every handshake succeeds, every turn is answered, no frame is lost', async () => {
	const r = await runScenario({
		scenario: 'talk',
		n: 50,
		durationMs: 20_000,
		rampMs: 1000,
		workers: 0,
		mix: { v3: 1, seed: 1 },
		codec: 'native',
		url: gw.wsUrl,
		gatewayPid: gw.proc.pid,
		providerKnown: true,
		secret: TEST_SECRET,
		latencyMs: LATENCY_MS,
		answerMs: ANSWER_MS,
		pauseMs: [300, 1500],
		bargeInShare: 0.1,
		talkShare: 1,
		heartbeatMs: 10_000,
		pin: false,
		log: () => {},
	})
	const f = r.figures
	console.log(
		`fleet smoke: ${f.turns.answered} turns answered, added latency p50/p99 ${f.gatewayAddedMs.p50}/${f.gatewayAddedMs.p99} ms, ` +
			`gateway CPU ${f.gateway.cpuPercentAvg}%, RSS ${f.gateway.rssKiB} KiB`,
	)
	expect(f.handshakeSuccessRate).toBe(100)
	expect(f.connectionsHeld).toBe(50)
	expect(f.unexpectedCloses).toEqual({})
	expect(f.turns.unanswered).toBe(0)
	// Every toy got through at least one turn; most got several.
	expect(f.turns.answered).toBeGreaterThanOrEqual(50)
	// Provider answers were heard (not only the gateway's cached lines), so loss was really counted.
	expect(f.endOfSpeechToFirstFrameMs.n).toBeGreaterThan(0)
	expect(f.framesLost).toBe(0)
	expect(f.seqGaps).toBe(0)
	expect(f.uplinkSendFailures).toBe(0)
	expect(f.clientErrors).toEqual({})
}, 90_000)
