import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'

// A request that fails its schema gets 400 with the field and the problem in words, on every route:
// never the schema itself (Elysia's default message is the whole TypeBox schema as JSON).

// ? The body is checked before the caller: any bearer shows the validation messages.
const PARENT = 'any-bearer-0123456789'
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

describe('validation errors', () => {
	async function expectNamed(r: Response, field: string): Promise<string> {
		expect(r.status).toBe(400)
		const body = (await r.json()) as Record<string, unknown>
		expect(Object.keys(body).sort()).toEqual(['code', 'message'])
		expect(body.code).toBe('BAD_REQUEST')
		const message = String(body.message)
		expect(message).toContain(field)
		// the problem in words, not the schema: no JSON, no TypeBox internals
		expect(message.length).toBeLessThan(300)
		for (const leak of ['{', '"type"', 'anyOf', 'properties', 'expected":', 'Kind']) expect(message).not.toContain(leak)
		return message
	}

	const claim = (body: unknown) =>
		fetch(`${dev.url}/api/v1/pair/claim`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${PARENT}`, 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		})

	test('pair/claim names the field and the problem, never the schema', async () => {
		expect(await expectNamed(await claim({ code: '12', child_id: crypto.randomUUID() }), 'code')).toMatch(/code/)
		await expectNamed(await claim({ code: '123456', child_id: 'not-a-uuid' }), 'child_id')
		await expectNamed(await claim({ device_id: 'toy-1', oob_code: 'abc', child_id: crypto.randomUUID() }), 'oob_code')
		await expectNamed(await claim({ child_id: crypto.randomUUID() }), 'code')
		await expectNamed(await claim('just a string'), 'body')
	})

	test('every route with a body does the same', async () => {
		const ota = await fetch(`${dev.url}/xiaozhi/ota/`, {
			method: 'POST',
			headers: { 'Device-Id': 'valid-toy', 'Content-Type': 'application/json' },
			body: JSON.stringify({ application: { version: 5 } }),
		})
		await expectNamed(ota, 'application.version')
		const activate = await fetch(`${dev.url}/xiaozhi/ota/activate`, {
			method: 'POST',
			headers: { 'Device-Id': 'valid-toy', 'Content-Type': 'application/json' },
			body: JSON.stringify({ algorithm: 7 }),
		})
		await expectNamed(activate, 'algorithm')
	})
})
