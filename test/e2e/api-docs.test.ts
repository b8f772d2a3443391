import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'

// The API reference at /swagger works with no network beyond this gateway: no CDN, no inline script.

let db: TestDatabase
let dev: GatewayProcess

beforeAll(async () => {
	db = await createTestDatabase()
	dev = await startGatewayProcess({ DATABASE_URL: db.url })
})

afterAll(async () => {
	await dev?.stop()
	await db?.drop()
})

describe('API reference', () => {
	test('/swagger loads nothing from a CDN: its scripts and styles come from this gateway', async () => {
		const page = await fetch(`${dev.url}/swagger`)
		expect(page.status).toBe(200)
		const html = await page.text()
		const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
		expect(refs.length).toBeGreaterThanOrEqual(2)
		for (const ref of refs) {
			expect(ref.startsWith('/')).toBe(true)
			expect(ref.startsWith('//')).toBe(false)
			const asset = await fetch(`${dev.url}${ref}`)
			expect({ ref, status: asset.status }).toEqual({ ref, status: 200 })
			expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(50)
		}
		// no inline script: the page's CSP allows scripts from this gateway only
		expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/)
		expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
		const spec = (await (await fetch(`${dev.url}/swagger/json`)).json()) as { paths: Record<string, unknown> }
		for (const path of ['/xiaozhi/ota/', '/api/v1/pair/claim', '/health']) expect(Object.keys(spec.paths)).toContain(path)
	})
})
