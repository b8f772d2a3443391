import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import postgres from 'postgres'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { Households } from '../support/family-fixtures'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'

// xiaozhi firmware shows the time from the check-in's server_time (issue 11): the offset is the
// family's time zone when the toy is paired to a family that set one, else the gateway's TIMEZONE.
// Zones without daylight saving, so the expected minutes hold all year.

const ENCRYPTION_KEY = '3c'.repeat(32)
let db: TestDatabase
let gw: GatewayProcess
let sql: postgres.Sql

beforeAll(async () => {
	db = await createTestDatabase()
	gw = await startGatewayProcess({ DATABASE_URL: db.url, ENCRYPTION_KEY, TIMEZONE: 'Asia/Ho_Chi_Minh' })
	sql = postgres(db.url, { max: 1, onnotice: () => {} })
})

afterAll(async () => {
	await sql?.end()
	await gw?.stop()
	await db?.drop()
})

async function checkIn(deviceId: string): Promise<{ timestamp: number; timezone_offset: number }> {
	const res = await fetch(`${gw.url}/xiaozhi/ota/`, {
		method: 'POST',
		headers: { 'Device-Id': deviceId, 'Client-Id': `c0ffee00-0000-4000-8000-${deviceId.slice(-12).padStart(12, '0')}`, 'Content-Type': 'application/json' },
		body: JSON.stringify({ application: { version: '2.4.2' } }),
	})
	expect(res.status).toBe(200)
	return ((await res.json()) as { server_time: { timestamp: number; timezone_offset: number } }).server_time
}

describe('check-in server time', () => {
	test("an unpaired toy gets the gateway's TIMEZONE offset", async () => {
		const t = await checkIn('aa:bb:cc:00:00:01')
		expect(t.timezone_offset).toBe(7 * 60)
		expect(Math.abs(t.timestamp - Date.now())).toBeLessThan(60_000)
	})

	test("a toy paired to a family gets the family's time zone", async () => {
		const homes = new Households(sql, ENCRYPTION_KEY)
		const home = await homes.family()
		await sql`update families set timezone = 'Asia/Tokyo' where id = ${home.familyId}`
		const childId = await home.child('Aiko', 6)
		await checkIn('aa:bb:cc:00:00:02')
		await homes.pairedToy('aa:bb:cc:00:00:02', childId)
		expect((await checkIn('aa:bb:cc:00:00:02')).timezone_offset).toBe(9 * 60)
	})
})
