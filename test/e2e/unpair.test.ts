import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import {
	type Api,
	addChild,
	call,
	gatewayApi,
	giveConsent,
	type ParentApp,
	type SignedInParent,
	signUp,
	startParentApp,
	TEST_AUTH_SECRET,
	TEST_ENCRYPTION_KEY,
} from '../support/parent-app'
import { v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// Pairing with a parent account and unpairing against a real gateway: the toy starts, the parent
// claims it for their child, the toy talks with its device JWT; unpairing closes its live socket
// with 4403 at once and its JWT stops working.

let db: TestDatabase
let pa: ParentApp
let gw: GatewayProcess
let api: Api
let parent: SignedInParent
let stranger: SignedInParent

beforeAll(async () => {
	db = await createTestDatabase()
	// parents are made in process on the gateway's database (same AUTH_SECRET): their tokens work there
	pa = await startParentApp({ databaseUrl: db.url })
	parent = await signUp(pa)
	stranger = await signUp(pa)
	gw = await startGatewayProcess({ DATABASE_URL: db.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, AUTH_SECRET: TEST_AUTH_SECRET, REQUIRE_PAIRING: 'true' })
	api = gatewayApi(gw.url, pa.sink)
})
afterAll(async () => {
	await gw?.stop()
	await pa?.close()
	await db?.drop()
})

async function deviceJwt(deviceId: string): Promise<string> {
	const r = await fetch(`${gw.url}/api/v1/devices/token`, { method: 'POST', headers: { 'Device-Id': deviceId, Authorization: `Bearer ${v2Token(deviceId)}` } })
	expect(r.status).toBe(200)
	return ((await r.json()) as { token: string }).token
}

async function connect(deviceId: string, token: string): Promise<TestSocket> {
	const s = new TestSocket(`${gw.wsUrl}/xiaozhi/v1/`, { Authorization: `Bearer ${token}`, 'Protocol-Version': '3', 'Device-Id': deviceId, 'Client-Id': 'c1' })
	await s.opened
	s.send({ type: 'hello', version: 3, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
	return s
}

test('a parent pairs a toy with their account; unpairing closes it with 4403 at once and revokes its token', async () => {
	const deviceId = 'unpair-toy-1'
	const child = await addChild(pa, parent, { name: 'Noor' })
	await giveConsent(pa, parent, child)
	const started = await fetch(`${gw.url}/api/v1/pair/start`, { method: 'POST', headers: { 'Device-Id': deviceId, Authorization: `Bearer ${v2Token(deviceId)}` } })
	const { code } = (await started.json()) as { code: string }
	const claimed = await call(api, 'POST', '/api/v1/pair/claim', { token: parent.token, body: { code, child_id: child } })
	expect(claimed.status).toBe(200)

	const jwt = await deviceJwt(deviceId)
	const s = await connect(deviceId, jwt)
	await s.waitFor((m) => m.type === 'hello')
	const listed = (await (await call(api, 'GET', '/api/v1/devices', { token: parent.token })).json()) as { devices: Array<Record<string, unknown>> }
	expect(listed.devices).toEqual([expect.objectContaining({ device_id: deviceId, child_id: child, online: true })])
	// a stranger can neither see nor unpair it
	expect((await call(api, 'GET', `/api/v1/devices/${deviceId}`, { token: stranger.token })).status).toBe(404)
	expect((await call(api, 'DELETE', `/api/v1/devices/${deviceId}`, { token: stranger.token })).status).toBe(404)
	expect(s.readyState).toBe(WebSocket.OPEN)

	const r = await call(api, 'DELETE', `/api/v1/devices/${deviceId}`, { token: parent.token })
	expect(await r.json()).toEqual({ device_id: deviceId, unpaired: true, disconnected: true })
	await s.waitFor((m) => m.type === 'error' && m.code === 'FORBIDDEN', 5_000)
	expect((await s.closed).code).toBe(4403)

	// the JWT it held is dead; with pairing required its v2 token only gets it refused as unpaired
	const again = await connect(deviceId, jwt)
	expect((await again.closed).code).toBe(4401)
	const v2 = await connect(deviceId, v2Token(deviceId))
	expect((await v2.closed).code).toBe(4403)
	expect(((await (await call(api, 'GET', '/api/v1/devices', { token: parent.token })).json()) as { devices: unknown[] }).devices).toEqual([])
})

test('/swagger documents the parent side: every route, its sign-in and the CSRF rule for cookies', async () => {
	const doc = (await (await fetch(`${gw.url}/swagger/json`)).json()) as {
		paths: Record<string, Record<string, { security?: unknown[] }>>
		components: { securitySchemes: Record<string, { description?: string }> }
	}
	const routes: Array<[string, string]> = [
		['/api/v1/accounts/register', 'post'],
		['/api/v1/accounts/login', 'post'],
		['/api/v1/accounts/refresh', 'post'],
		['/api/v1/accounts/me', 'delete'],
		['/api/v1/children', 'post'],
		['/api/v1/children/{id}/consent', 'post'],
		['/api/v1/children/{id}/conversations', 'get'],
		['/api/v1/conversations/{id}/messages', 'get'],
		['/api/v1/alerts/{id}/acknowledge', 'post'],
		['/api/v1/usage', 'get'],
		['/api/v1/children/{id}/progress', 'get'],
		['/api/v1/devices/{id}', 'delete'],
		['/api/v1/pair/claim', 'post'],
		['/api/v1/children/{id}/export', 'get'],
		['/api/v1/family/settings', 'patch'],
		['/api/v1/children/{id}/chat', 'post'],
		['/api/v1/operator/devices/{id}/revoke', 'post'],
	]
	for (const [path, method] of routes) expect(doc.paths[path]?.[method]).toBeDefined()
	expect(doc.paths['/api/v1/children']!.post!.security).toEqual([{ bearer: [] }, { cookie: [] }])
	expect(doc.components.securitySchemes.cookie!.description).toContain('X-CSRF-Token')
})
