import { beforeAll, expect, test } from 'bun:test'
import { brotliDecompressSync } from 'node:zlib'
import { parentAppModule } from '../../gateway/src/modules/parent-app'
import { buildParentApp, type ParentAppBundle } from '../../gateway/src/modules/parent-app/service'
import { securityHeaders } from '../../gateway/src/modules/edge/service'

// How /app is served, without a browser: one build, the best encoding the client accepts, deep
// links answered with the app, hashed assets cached for good, the app's own CSP.

let bundle: ParentAppBundle
let app: ReturnType<typeof parentAppModule>

beforeAll(async () => {
	bundle = await buildParentApp()
	app = parentAppModule(bundle)
})

const get = (path: string, acceptEncoding?: string) =>
	app.handle(new Request(`http://localhost${path}`, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }))

test('the build is deterministic: the same sources give the same asset names', async () => {
	const again = await buildParentApp()
	expect([...again.assets.keys()].sort()).toEqual([...bundle.assets.keys()].sort())
	expect(Buffer.from(again.index.raw).equals(Buffer.from(bundle.index.raw))).toBe(true)
})

test('answers brotli, gzip or plain by Accept-Encoding, always the same page', async () => {
	const plain = await get('/app')
	expect(plain.headers.get('content-encoding')).toBeNull()
	const html = await plain.text()
	expect(html).toContain('<script type="module" src="/app/assets/main-')
	const br = await get('/app', 'gzip, deflate, br')
	expect(br.headers.get('content-encoding')).toBe('br')
	expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(html)
	const gz = await get('/app', 'gzip')
	expect(gz.headers.get('content-encoding')).toBe('gzip')
	expect(gz.headers.get('vary')).toBe('Accept-Encoding')
	expect(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await gz.arrayBuffer())))).toBe(html)
})

test('every path under /app is the app (mailed links land there); index.html is never cached', async () => {
	for (const path of ['/app/', '/app/verify-email?token=abc', '/app/alerts/8d7e0a4e-2f7a-4a34-9a0c-0c7c2f3b1b7a', '/app/children/x/conversations/y']) {
		const r = await get(path)
		expect({ path, status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('cache-control') }).toEqual({
			path,
			status: 200,
			type: 'text/html; charset=utf-8',
			cache: 'no-cache',
		})
	}
})

test('hashed assets are immutable for a year; unknown names are a JSON 404', async () => {
	const html = await (await get('/app')).text()
	const script = /src="\/app\/assets\/([^"]+)"/.exec(html)![1]!
	const r = await get(`/app/assets/${script}`)
	expect(r.status).toBe(200)
	expect(r.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
	expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
	const missing = await get('/app/assets/main-00000000.js')
	expect(missing.status).toBe(404)
	expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' })
})

test('the app gets its own CSP: its own script and styles only, nothing inline; the API stays locked down', () => {
	const csp = securityHeaders('/app/children/x', false)['content-security-policy']!
	expect(csp).toContain("script-src 'self'")
	expect(csp).toContain("style-src 'self'")
	expect(csp).toContain("connect-src 'self'")
	expect(csp).toContain("frame-ancestors 'none'")
	expect(csp).not.toContain('unsafe')
	expect(securityHeaders('/api/v1/children', false)['content-security-policy']).toStartWith("default-src 'none'")
	expect(securityHeaders('/apps', false)['content-security-policy']).toStartWith("default-src 'none'; frame-ancestors")
})
