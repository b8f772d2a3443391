import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import postgres from 'postgres'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'
import { addChild, type ParentApp, type SignedInParent, signUp, startParentApp, TEST_AUTH_SECRET, TEST_ENCRYPTION_KEY } from '../support/parent-app'
import { v2Token } from '../support/seed-url'

// Pairing over REST (PROTOCOL.md §2) against a real gateway: a toy starts, a signed-in parent
// claims it for one of their own children, and guessing codes is bounded per toy and per address.

const ENCRYPTION_KEY = TEST_ENCRYPTION_KEY

let db: TestDatabase
let sql: postgres.Sql
// parents are made in process on the gateway's own database (same AUTH_SECRET): their tokens work on it
let pa: ParentApp
let parent: SignedInParent
let other: SignedInParent

beforeAll(async () => {
	db = await createTestDatabase()
	sql = postgres(db.url, { max: 2, onnotice: () => {} })
	pa = await startParentApp({ databaseUrl: db.url })
	parent = await signUp(pa)
	other = await signUp(pa)
})

afterAll(async () => {
	await pa?.close()
	await sql?.end()
	await db?.drop()
})

const newChild = () => addChild(pa, parent, { name: 'Ada', age: 8 })

async function pairedChildOf(deviceId: string): Promise<string | null> {
	const [row] = await sql<{ paired_child_id: string | null }[]>`select paired_child_id from devices where device_id = ${deviceId}`
	return row?.paired_child_id ?? null
}

function start(gw: GatewayProcess, deviceId: string, token: string | null = v2Token(deviceId)): Promise<Response> {
	const headers: Record<string, string> = { 'Device-Id': deviceId }
	if (token) headers.Authorization = `Bearer ${token}`
	return fetch(`${gw.url}/api/v1/pair/start`, { method: 'POST', headers })
}

async function startOk(gw: GatewayProcess, deviceId: string): Promise<string> {
	const r = await start(gw, deviceId)
	expect(r.status).toBe(200)
	const body = (await r.json()) as { code: string; expires_in: number }
	expect(body.expires_in).toBe(600)
	expect(body.code).toMatch(/^\d{6}$/)
	return body.code
}

function claim(gw: GatewayProcess, body: object, token: string | null = parent.token): Promise<Response> {
	const headers: Record<string, string> = { 'Content-Type': 'application/json' }
	if (token) headers.Authorization = `Bearer ${token}`
	return fetch(`${gw.url}/api/v1/pair/claim`, { method: 'POST', headers, body: JSON.stringify(body) })
}

async function expectError(r: Response, status: number, code: string): Promise<void> {
	expect(r.status).toBe(status)
	const body = (await r.json()) as { code: string; message: string }
	expect(body.code).toBe(code)
	expect(body.message.length).toBeGreaterThan(0)
}

// a code that is not `code` (and so cannot be right by chance)
const otherCode = (code: string, i = 1) => String((Number(code) + i) % 1_000_000).padStart(6, '0')

describe('pairing', () => {
	let gw: GatewayProcess
	beforeAll(async () => {
		gw = await startGatewayProcess({ DATABASE_URL: db.url, ENCRYPTION_KEY, AUTH_SECRET: TEST_AUTH_SECRET, PAIR_CLAIMS_PER_IP_PER_10_MIN: '1000' })
	})
	afterAll(async () => {
		await gw?.stop()
	})

	test('a toy starts pairing and a parent binds it to a child with the spoken code', async () => {
		const deviceId = 'pair-toy-1'
		const code = await startOk(gw, deviceId)
		const childId = await newChild()
		const r = await claim(gw, { code, child_id: childId })
		expect(r.status).toBe(200)
		expect(await r.json()).toEqual({ device_id: deviceId, child_id: childId, paired: true })
		expect(await pairedChildOf(deviceId)).toBe(childId)
		// a used code pairs nothing a second time
		await expectError(await claim(gw, { code, child_id: await newChild() }), 400, 'PAIRING_CODE_INVALID')
		expect(await pairedChildOf(deviceId)).toBe(childId)
	})

	test('a parent may name the toy and give its code out of band', async () => {
		const deviceId = 'pair-toy-2'
		const code = await startOk(gw, deviceId)
		const childId = await newChild()
		const r = await claim(gw, { device_id: deviceId, oob_code: code, child_id: childId })
		expect(r.status).toBe(200)
		expect(await pairedChildOf(deviceId)).toBe(childId)
	})

	test('starting again gives a fresh code and the old one stops working', async () => {
		const deviceId = 'pair-toy-3'
		const first = await startOk(gw, deviceId)
		let second = await startOk(gw, deviceId)
		while (second === first) second = await startOk(gw, deviceId)
		await expectError(await claim(gw, { code: first, child_id: await newChild() }), 400, 'PAIRING_CODE_INVALID')
		expect((await claim(gw, { code: second, child_id: await newChild() })).status).toBe(200)
	})

	test('starting needs a device token and a well-formed Device-Id', async () => {
		await expectError(await start(gw, 'pair-toy-4', null), 401, 'UNAUTHORIZED')
		await expectError(await start(gw, 'pair-toy-4', v2Token('pair-toy-5')), 401, 'UNAUTHORIZED')
		await expectError(await start(gw, 'bad id!', v2Token('bad id!')), 400, 'BAD_REQUEST')
	})

	test('a parent claims a toy that was never switched on with the code printed on its box', async () => {
		const deviceId = 'Teddy-ESP32-box-1'
		// the factory prints what the operator's script gives (same secret and database as the gateway)
		const run = Bun.spawnSync(['bun', 'scripts/device.ts', 'box-code', deviceId], {
			env: { ...process.env, DATABASE_URL: db.url, ENCRYPTION_KEY, ESP32_SHARED_SECRET: TEST_SECRET },
		})
		const boxCode = run.stdout.toString().trim()
		expect(boxCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/)
		const childId = await newChild()
		// a wrong code, or another toy's, pairs nothing and says nothing about the toy
		const wrong = boxCode.replace(/^./, (c) => (c === '0' ? '1' : '0'))
		await expectError(await claim(gw, { device_id: deviceId, box_code: wrong, child_id: childId }), 400, 'PAIRING_CODE_INVALID')
		expect(await pairedChildOf(deviceId)).toBeNull()
		// typed the way a parent reads it off a box: lower case, spaces for dashes
		const typed = boxCode.toLowerCase().replaceAll('-', ' ')
		const r = await claim(gw, { device_id: deviceId, box_code: typed, child_id: childId })
		expect(r.status).toBe(200)
		expect(await pairedChildOf(deviceId)).toBe(childId)
		// the code never expires, so it cannot take the toy from the family that has it
		const stranger = await addChild(pa, other, { name: 'Zed', age: 6 })
		await expectError(await claim(gw, { device_id: deviceId, box_code: boxCode, child_id: stranger }, other.token), 409, 'CONFLICT')
		expect(await pairedChildOf(deviceId)).toBe(childId)
	})

	test('claiming needs a signed-in parent', async () => {
		const code = await startOk(gw, 'pair-toy-6')
		const childId = await newChild()
		await expectError(await claim(gw, { code, child_id: childId }, null), 401, 'UNAUTHORIZED')
		await expectError(await claim(gw, { code, child_id: childId }, 'parent-stop-gap-token-0123456789'), 401, 'UNAUTHORIZED')
		expect(await pairedChildOf('pair-toy-6')).toBeNull()
	})

	test('a parent cannot pair a toy to another family’s child: 404, and the code still works for its owner', async () => {
		const code = await startOk(gw, 'pair-toy-10')
		const theirs = await addChild(pa, other, { name: 'Other' })
		await expectError(await claim(gw, { code, child_id: theirs }), 404, 'NOT_FOUND')
		await expectError(await claim(gw, { device_id: 'pair-toy-10', oob_code: code, child_id: theirs }), 404, 'NOT_FOUND')
		expect(await pairedChildOf('pair-toy-10')).toBeNull()
		expect((await claim(gw, { code, child_id: theirs }, other.token)).status).toBe(200)
		expect(await pairedChildOf('pair-toy-10')).toBe(theirs)
	})

	test('five wrong codes burn the toy’s code: 429, and even the right code then never binds', async () => {
		const deviceId = 'pair-toy-7'
		const code = await startOk(gw, deviceId)
		const childId = await newChild()
		for (let i = 1; i <= 4; i++) {
			await expectError(await claim(gw, { device_id: deviceId, oob_code: otherCode(code, i), child_id: childId }), 400, 'PAIRING_CODE_INVALID')
		}
		await expectError(await claim(gw, { device_id: deviceId, oob_code: otherCode(code, 5), child_id: childId }), 429, 'RATE_LIMITED')
		await expectError(await claim(gw, { device_id: deviceId, oob_code: code, child_id: childId }), 429, 'RATE_LIMITED')
		await expectError(await claim(gw, { code, child_id: childId }), 429, 'RATE_LIMITED')
		expect(await pairedChildOf(deviceId)).toBeNull()
		// the toy can start over with a new code
		const fresh = await startOk(gw, deviceId)
		expect((await claim(gw, { device_id: deviceId, oob_code: fresh, child_id: childId })).status).toBe(200)
	})

	test('an expired code is refused with 410 and never binds', async () => {
		const deviceId = 'pair-toy-8'
		const code = await startOk(gw, deviceId)
		await sql`update pairing_codes set expires_at = now() - interval '1 second' where device_id = ${deviceId}`
		const childId = await newChild()
		await expectError(await claim(gw, { code, child_id: childId }), 410, 'PAIRING_CODE_EXPIRED')
		await expectError(await claim(gw, { device_id: deviceId, oob_code: code, child_id: childId }), 410, 'PAIRING_CODE_EXPIRED')
		expect(await pairedChildOf(deviceId)).toBeNull()
	})

	test('an unknown child is 404 and a malformed body is 400', async () => {
		const code = await startOk(gw, 'pair-toy-9')
		await expectError(await claim(gw, { code, child_id: crypto.randomUUID() }), 404, 'NOT_FOUND')
		await expectError(await claim(gw, { code: '12345', child_id: await newChild() }), 400, 'BAD_REQUEST')
		await expectError(await claim(gw, { code, child_id: 'not-a-uuid' }), 400, 'BAD_REQUEST')
		expect(await pairedChildOf('pair-toy-9')).toBeNull()
	})
})

describe('pairing limits per address', () => {
	let gw: GatewayProcess
	beforeAll(async () => {
		gw = await startGatewayProcess({ DATABASE_URL: db.url, ENCRYPTION_KEY, AUTH_SECRET: TEST_AUTH_SECRET, PAIR_CLAIMS_PER_IP_PER_10_MIN: '3' })
	})
	afterAll(async () => {
		await gw?.stop()
	})

	test('past the per-IP limit every claim gets 429, the right code included, and nothing binds', async () => {
		const code = await startOk(gw, 'pair-ip-1')
		const childId = await newChild()
		for (let i = 1; i <= 3; i++) {
			// code-only guesses do not name a toy, so only the address limit stops them
			await expectError(await claim(gw, { code: otherCode(code, i * 1000), child_id: childId }), 400, 'PAIRING_CODE_INVALID')
		}
		await expectError(await claim(gw, { code, child_id: childId }), 429, 'RATE_LIMITED')
		expect(await pairedChildOf('pair-ip-1')).toBeNull()
	})
})
