import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { claimBody, fetchConfig, oobSecret, postClaim } from '../../bench/lib/seed-boot'
import { deviceKey } from '../../bench/lib/token'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'
import { TestSocket } from '../support/ws-client'

// The seed firmware's claim on POST /api/v1/pair/claim (issue 15): device id, out-of-band secret
// (salted with the config's `claim.salt`), nonce, timestamp and an HMAC under the device key,
// answered with a device JWT that opens the toy's WebSocket. The same path still serves a
// parent's claim, told apart by the body. Claims are built by the bench's independent code.

let db: TestDatabase
let gw: GatewayProcess
let salt: string

beforeAll(async () => {
	// ? PostgreSQL rather than the embedded default: the same behaviour, a faster boot
	db = await createTestDatabase()
	gw = await startGatewayProcess({ DATABASE_URL: db.url, PAIR_CLAIMS_PER_IP_PER_10_MIN: '1000' })
	salt = (await fetchConfig(gw.url)).body!.claim.salt
})
afterAll(async () => {
	await gw?.stop()
	await db?.drop()
})

const claim = (body: object) => postClaim(gw.url, '/api/v1/pair/claim', body as never)
const key = (id: string) => deviceKey(TEST_SECRET, id)

describe('seed device claim', () => {
	for (const deviceId of ['Teddy-ESP32-001', 'ABCD1234']) {
		test(`${deviceId}: a valid claim gets a device JWT that opens the seed-json socket`, async () => {
			const r = await claim(claimBody(key(deviceId), deviceId, salt))
			expect(r.status).toBe(200)
			expect(r.body).toMatchObject({ device_id: deviceId, token_type: 'Bearer', paired: false })
			expect(r.body.token).toMatch(/^eyJ/)
			const q = new URLSearchParams({ device_id: deviceId, child_id: 'c1', child_name: 'Mia', child_age: '6', token: String(r.body.token) })
			const ws = new TestSocket(`${gw.wsUrl}/api/v1/esp32/private/chat?${q}`)
			await ws.opened
			ws.send({ type: 'ping' })
			await ws.waitFor((m) => m.type === 'pong', 5000)
			ws.close()
		})
	}

	test('firmware 002’s /ws/{device_id} is the seed-json socket; the path and the query must name the same toy', async () => {
		const id = 'ABCD1234'
		const token = String((await claim(claimBody(key(id), id, salt))).body.token)
		const q = new URLSearchParams({ child_id: 'c1', child_name: 'Mia', child_age: '6', token })
		const ws = new TestSocket(`${gw.wsUrl}/ws/${id}?${q}`)
		await ws.opened
		ws.send({ type: 'ping' })
		await ws.waitFor((m) => m.type === 'pong', 5000)
		ws.close()
		q.set('device_id', 'Teddy-ESP32-001')
		const other = new TestSocket(`${gw.wsUrl}/ws/${id}?${q}`)
		const closed = await other.closed
		expect(closed.code).toBe(4400)
		expect(other.messages.find((m) => m.type === 'error')).toMatchObject({ code: 'BAD_REQUEST' })
	})

	test('a replayed claim (same nonce) is refused', async () => {
		const body = claimBody(key('Teddy-ESP32-002'), 'Teddy-ESP32-002', salt)
		expect((await claim(body)).status).toBe(200)
		const again = await claim(body)
		expect(again.status).toBe(401)
		expect(again.body.code).toBe('UNAUTHORIZED')
	})

	test('a wrong OOB secret, a wrong key, or a stale timestamp is refused with 401', async () => {
		const id = 'Teddy-ESP32-003'
		const wrongOob = claimBody(key(id), id, salt, { oob: oobSecret(id, 'another-salt') })
		expect((await claim(wrongOob)).status).toBe(401)
		// the right OOB secret, but signed by another toy's key
		expect((await claim(claimBody(key('Teddy-ESP32-004'), id, salt))).status).toBe(401)
		const stale = await claim(claimBody(key(id), id, salt, { timestamp: Math.floor(Date.now() / 1000) - 3600 }))
		expect(stale.status).toBe(401)
		expect(String(stale.body.message)).toContain('clock')
		// the refused ones burned nothing: a fresh, valid claim still works
		expect((await claim(claimBody(key(id), id, salt))).status).toBe(200)
	})

	test('a malformed claim is a 400 with the field named', async () => {
		const body = { ...claimBody(key('x1'), 'x1', salt), hmac: 'nothex' }
		const r = await claim(body)
		expect(r.status).toBe(400)
		expect(r.body.code).toBe('BAD_REQUEST')
	})

	test('each new claim rotates the JWT: the earlier one stops working', async () => {
		const id = 'Teddy-ESP32-005'
		const a = String((await claim(claimBody(key(id), id, salt))).body.token)
		const b = String((await claim(claimBody(key(id), id, salt))).body.token)
		const open = (token: string) => {
			const q = new URLSearchParams({ device_id: id, child_id: 'c1', child_name: 'Mia', child_age: '6', token })
			return fetch(`${gw.url}/api/v1/esp32/private/chat?${q}`)
		}
		// without an upgrade the socket path answers the auth verdict as JSON
		expect((await open(a)).status).toBe(401)
		expect((await open(b)).status).not.toBe(401)
	})

	test('a parent’s claim on the same path still needs a parent session', async () => {
		const r = await claim({ code: '123456', child_id: '00000000-0000-4000-8000-000000000000' })
		expect(r.status).toBe(401)
		expect(r.body.code).toBe('UNAUTHORIZED')
	})

	test('/swagger documents both kinds of claim', async () => {
		const spec = (await (await fetch(`${gw.url}/swagger/json`)).json()) as any
		const op = spec.paths['/api/v1/pair/claim'].post
		const text = JSON.stringify(op.requestBody)
		for (const field of ['oob_secret', 'nonce', 'timestamp', 'hmac', 'oob_code', 'child_id', 'code']) expect(text).toContain(`"${field}"`)
		expect(op.description).toContain('Toy')
		expect(op.description).toContain('Parent')
	})
})
