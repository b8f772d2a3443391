import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { runSeedTurn } from '../../bench/lib/seed-client'
import { sessionIntro } from '../../gateway/src/safety/fixed-lines'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type FakeRealtime, startFakeRealtime } from '../support/fake-openai-realtime'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'

// A gateway in Realtime mode against the Realtime fake served over wss, as the real API is: the
// toy hears the answer, the API key travels in a header and not in a subprotocol, and the socket
// carries the toy's safety identifier. The gateway process trusts the fake's loopback certificate
// through NODE_EXTRA_CA_CERTS, the standard way to add a CA.

const ANSWER = 'Hello there, little friend! Dragons love to bake cookies.'
const CERT = fileURLToPath(new URL('../support/tls/cert.pem', import.meta.url))
let fake: FakeRealtime
let gw: GatewayProcess
let db: TestDatabase

beforeAll(async () => {
	fake = await startFakeRealtime({ tls: true, answer: ANSWER })
	db = await createTestDatabase()
	gw = await startGatewayProcess({
		DATABASE_URL: db.url,
		OPENAI_BASE_URL: fake.url,
		OPENAI_API_KEY: 'sk-e2e-key',
		OPENAI_MODE: 'realtime',
		// The fake serves only the Realtime socket; moderation would get 404s.
		MODERATION: 'local',
		NODE_EXTRA_CA_CERTS: CERT,
	})
})

afterAll(async () => {
	await gw?.stop()
	await fake?.stop()
	await db?.drop()
})

describe('Realtime mode through a gateway process', () => {
	test('a typed turn is answered; the key is in a header and the safety id beside it', async () => {
		const r = await runSeedTurn({ url: gw.wsUrl, deviceId: 'realtime-toy-1', secret: TEST_SECRET, text: 'Tell me about dragons' })
		expect(r.errors).toEqual([])
		expect(r.final).toBe(true)
		expect(r.answerTexts.join(' ')).toBe(`${sessionIntro} ${ANSWER}`)
		expect(r.rms).toBeGreaterThan(300)
		const { handshake } = fake.connections[0]
		expect(handshake.authorization).toBe('Bearer sk-e2e-key')
		expect(handshake.protocols.join(',')).not.toContain('sk-e2e-key')
		expect(handshake.safetyIdentifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
		expect(handshake.safetyIdentifier).not.toContain('realtime-toy-1')
	}, 60_000)
})
