import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { seedUrl, v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// What a browser (or anything else) sees at the edge of a real gateway: CORS for the ecosystem's
// browser tester and an allow-list of origins, security headers on every REST answer, which pages
// may open a device socket, body size limits, and validation errors that name the field.

let db: TestDatabase
let dev: GatewayProcess // the embedded default's permissive origin policy
let strict: GatewayProcess // one allowed origin, behind a trusted proxy

beforeAll(async () => {
	db = await createTestDatabase()
	;[dev, strict] = await Promise.all([
		startGatewayProcess({ DATABASE_URL: db.url }),
		startGatewayProcess({ DATABASE_URL: db.url, ALLOWED_ORIGINS: 'https://parents.example', TRUSTED_PROXIES: '127.0.0.1' }),
	])
})

afterAll(async () => {
	await Promise.all([dev?.stop(), strict?.stop()])
	await db?.drop()
})

const TESTER = 'http://localhost:8006' // where the browser test page is served from

function preflight(gw: GatewayProcess, path: string, origin: string): Promise<Response> {
	return fetch(`${gw.url}${path}`, {
		method: 'OPTIONS',
		headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'device-id,client-id,content-type' },
	})
}

describe('CORS', () => {
	test('the browser tester’s preflight of the OTA check-in gets 204 and may then check in', async () => {
		const pre = await preflight(dev, '/xiaozhi/ota/', TESTER)
		expect(pre.status).toBe(204)
		expect(pre.headers.get('access-control-allow-origin')).toBe('*')
		expect(pre.headers.get('access-control-allow-methods')).toContain('POST')
		const allowedHeaders = (pre.headers.get('access-control-allow-headers') ?? '').toLowerCase()
		for (const h of ['device-id', 'client-id', 'content-type', 'authorization']) expect(allowedHeaders).toContain(h)
		const r = await fetch(`${dev.url}/xiaozhi/ota/`, {
			method: 'POST',
			headers: { Origin: TESTER, 'Device-Id': 'cors-toy-1', 'Client-Id': 'web-tester-1', 'Content-Type': 'application/json' },
			body: '{}',
		})
		expect(r.status).toBe(200)
		expect(r.headers.get('access-control-allow-origin')).toBe('*')
	})

	test('with an allow-list, only the listed origin is answered with CORS headers', async () => {
		const ok = await preflight(strict, '/xiaozhi/ota/', 'https://parents.example')
		expect(ok.status).toBe(204)
		expect(ok.headers.get('access-control-allow-origin')).toBe('https://parents.example')
		expect(ok.headers.get('vary')).toContain('Origin')
		const foreign = await preflight(strict, '/xiaozhi/ota/', 'https://evil.example')
		expect(foreign.status).toBe(403)
		expect(((await foreign.json()) as { code: string }).code).toBe('FORBIDDEN')
		expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
		const simple = await fetch(`${strict.url}/health`, { headers: { Origin: 'https://evil.example' } })
		expect(simple.headers.get('access-control-allow-origin')).toBeNull()
	})
})

describe('security headers', () => {
	const expectHardened = (r: Response) => {
		expect(r.headers.get('x-content-type-options')).toBe('nosniff')
		expect(r.headers.get('x-frame-options')).toBe('DENY')
		expect(r.headers.get('referrer-policy')).toBe('no-referrer')
		expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
	}

	test('every REST answer carries them, errors included; no HSTS over plain HTTP', async () => {
		const answers = await Promise.all([
			fetch(`${dev.url}/health`),
			fetch(`${dev.url}/no/such/route`),
			fetch(`${dev.url}/xiaozhi/ota/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }),
			fetch(`${dev.url}/xiaozhi/v1/`),
			fetch(`${dev.url}/swagger`),
		])
		expect(answers.map((r) => r.status)).toEqual([200, 404, 400, 401, 200])
		for (const r of answers) {
			expectHardened(r)
			expect(r.headers.get('strict-transport-security')).toBeNull()
		}
		expect(answers[0]!.headers.get('content-security-policy')).toContain("default-src 'none'")
	})

	test('HSTS when a trusted proxy says the client came over TLS, not when anyone else does', async () => {
		const viaProxy = await fetch(`${strict.url}/health`, { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '198.51.100.9' } })
		expectHardened(viaProxy)
		expect(viaProxy.headers.get('strict-transport-security')).toContain('max-age=')
		const claimed = await fetch(`${dev.url}/health`, { headers: { 'X-Forwarded-Proto': 'https' } })
		expect(claimed.headers.get('strict-transport-security')).toBeNull()
	})
})

describe('device sockets from browser pages', () => {
	async function outcome(s: TestSocket): Promise<{ code: number; error?: unknown }> {
		await s.opened.catch(() => {})
		const code = await Promise.race([s.closed.then((c) => c.code), Bun.sleep(500).then(() => 0)])
		if (code === 0) s.close()
		return { code, error: s.messages.find((m) => m.type === 'error')?.code }
	}

	test('a page from a foreign origin cannot open a device socket; toys (no Origin) and the allowed origin can', async () => {
		const foreignSeed = new TestSocket(seedUrl(strict.wsUrl, { device_id: 'origin-toy-1' }), { Origin: 'https://evil.example' })
		expect(await outcome(foreignSeed)).toEqual({ code: 4403, error: 'FORBIDDEN' })
		const q = new URLSearchParams({ device_id: 'origin-toy-2', token: v2Token('origin-toy-2') })
		const foreignXz = new TestSocket(`${strict.wsUrl}/xiaozhi/v1/?${q}`, { Origin: 'https://evil.example' })
		expect(await outcome(foreignXz)).toEqual({ code: 4403, error: 'FORBIDDEN' })
		expect(await outcome(new TestSocket(seedUrl(strict.wsUrl, { device_id: 'origin-toy-3' })))).toEqual({ code: 0, error: undefined })
		const allowed = new TestSocket(seedUrl(strict.wsUrl, { device_id: 'origin-toy-4' }), { Origin: 'https://parents.example' })
		expect(await outcome(allowed)).toEqual({ code: 0, error: undefined })
	})
})

describe('request size', () => {
	const big = JSON.stringify({ application: { version: '1.0.0', name: 'x'.repeat(70 * 1024) } })

	test('a body over the limit is refused with 413 JSON on every route, before it is read', async () => {
		for (const path of ['/xiaozhi/ota/', '/xiaozhi/ota/activate', '/api/v1/pair/claim', '/api/v1/pair/start', '/api/v1/devices/token', '/health']) {
			const r = await fetch(`${dev.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Device-Id': 'size-toy' }, body: big })
			expect({ path, status: r.status }).toEqual({ path, status: 413 })
			expect(((await r.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE')
		}
	})

	test('a body without a length (chunked) gets 411 JSON; a normal toy check-in still works', async () => {
		const stream = new ReadableStream({
			start(c) {
				c.enqueue(new TextEncoder().encode(big))
				c.close()
			},
		})
		const r = await fetch(`${dev.url}/xiaozhi/ota/`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'Device-Id': 'size-toy' },
			body: stream,
			duplex: 'half',
		} as RequestInit)
		expect(r.status).toBe(411)
		expect(((await r.json()) as { code: string }).code).toBe('LENGTH_REQUIRED')
		const ok = await fetch(`${dev.url}/xiaozhi/ota/`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'Device-Id': 'size-toy', 'Client-Id': 'size-toy-client' },
			body: JSON.stringify({ application: { version: '1.0.0' } }),
		})
		expect(ok.status).toBe(200)
	})
})
