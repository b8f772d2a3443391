import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import postgres from 'postgres'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { deviceScript } from '../support/device-script'
import { addChild, giveConsent, type ParentApp, type SignedInParent, signUp, startParentApp, TEST_AUTH_SECRET, TEST_ENCRYPTION_KEY } from '../support/parent-app'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'
import { type FirmwareIdentity, XiaozhiFirmware } from '../support/xiaozhi-firmware'

// Issue 11 findings 1 and 4: stock xiaozhi firmware, replayed request for request, must leave its
// activation loop and open its WebSocket; with pairing required it polls at the firmware's own
// pace until a parent claims it. Boards that sign the challenge with a key the gateway does not
// know are not stuck, and a wrong HMAC is never answered 200 where the key is known, whichever of
// the two body forms carries it.

const ENCRYPTION_KEY = TEST_ENCRYPTION_KEY

let db: TestDatabase
let sql: postgres.Sql
// the parent, signed up through the parent API on the gateway's database (same AUTH_SECRET)
let pa: ParentApp
let parent: SignedInParent

beforeAll(async () => {
	db = await createTestDatabase()
	sql = postgres(db.url, { max: 2, onnotice: () => {} })
	pa = await startParentApp({ databaseUrl: db.url })
	parent = await signUp(pa)
})

afterAll(async () => {
	await pa?.close()
	await sql?.end()
	await db?.drop()
})

let macs = 0
const newMac = () => `c4:de:00:00:00:${(++macs).toString(16).padStart(2, '0')}`
// PROTOCOL.md §1: the per-toy key our factory burns into eFuse HMAC_KEY0
const teddyKey = (deviceId: string) => createHmac('sha256', TEST_SECRET).update(`teddy-device-key|${deviceId}`).digest()

function gatewayEnv(requirePairing: boolean) {
	return { DATABASE_URL: db.url, ENCRYPTION_KEY, AUTH_SECRET: TEST_AUTH_SECRET, REQUIRE_PAIRING: String(requirePairing), OTA_REQUIRE_DEVICE_AUTH: 'false' }
}

async function claim(gw: GatewayProcess, code: string): Promise<number> {
	const child = await addChild(pa, parent, { name: 'Ivy', age: 7 })
	await giveConsent(pa, parent, child)
	const r = await fetch(`${gw.url}/api/v1/pair/claim`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${parent.token}`, 'Content-Type': 'application/json' },
		body: JSON.stringify({ code, child_id: child }),
	})
	return r.status
}

async function reachesWebSocket(fw: XiaozhiFirmware, websocket: { url: string; token: string } | undefined): Promise<void> {
	expect(websocket).toBeDefined()
	const s = await fw.connect(websocket!)
	const hello = await s.waitFor((m) => m.type === 'hello')
	expect(hello.transport).toBe('websocket')
	s.close()
}

describe('with pairing optional', () => {
	let gw: GatewayProcess
	const board = (id: Partial<FirmwareIdentity> = {}) =>
		new XiaozhiFirmware(`${gw.url}/xiaozhi/ota/`, { deviceId: newMac(), clientId: randomUUID(), ...id }, { maxCheckIns: 30 })

	beforeAll(async () => {
		gw = await startGatewayProcess(gatewayEnv(false))
	})
	afterAll(async () => {
		await gw?.stop()
	})

	test('stock firmware says its code once, activates, and opens its WebSocket', async () => {
		const fw = board()
		const boot = await fw.boot()
		expect(boot.gaveUp).toBe(false)
		expect(boot.checkIns).toBe(2)
		expect(boot.activations).toBe(1)
		expect(boot.spokenCodes).toHaveLength(1)
		await reachesWebSocket(fw, boot.websocket)
		// the next boot goes straight to the WebSocket, and the code is still there for a parent
		const reboot = await fw.boot()
		expect(reboot.checkIns).toBe(1)
		await reachesWebSocket(fw, reboot.websocket)
		expect(await claim(gw, boot.spokenCodes[0]!)).toBe(200)
	})

	test('a board signing with a vendor key the gateway does not know is not stuck', async () => {
		const fw = board({ serialNumber: 'SN-VENDOR-0000000000000000000001', hmacKey: randomBytes(32) })
		const boot = await fw.boot()
		expect(boot.gaveUp).toBe(false)
		expect(boot.activateStatuses).toEqual([200])
		await reachesWebSocket(fw, boot.websocket)
	})

	test("py-xiaozhi's Payload form with its own key reaches the WebSocket too", async () => {
		const fw = board({ serialNumber: 'SN-PY-XIAOZHI-00000000000000001', hmacKey: randomBytes(32), wrapPayload: true })
		const boot = await fw.boot()
		expect(boot.gaveUp).toBe(false)
		await reachesWebSocket(fw, boot.websocket)
	})

	test('a toy with the Teddy device key activates; once proven, a wrong HMAC is refused in either form', async () => {
		const deviceId = newMac()
		const ours = board({ deviceId, serialNumber: 'SN-TEDDY-0000000000000000000001', hmacKey: teddyKey(deviceId) })
		const boot = await ours.boot()
		expect(boot.activateStatuses).toEqual([200])
		await reachesWebSocket(ours, boot.websocket)
		// a new code (the last one was acknowledged long ago), answered with the wrong key
		await sql`update pairing_codes set expires_at = now() - interval '1 second' where device_id = ${deviceId}`
		const { activation } = (await (await ours.checkIn()).json()) as { activation: { challenge: string } }
		const wrongKey = randomBytes(32)
		for (const wrapPayload of [false, true]) {
			const forged = new XiaozhiFirmware(ours.otaUrl, { ...ours.id, hmacKey: wrongKey, wrapPayload })
			const r = await forged.activate(activation.challenge)
			expect({ wrapPayload, status: r.status }).toEqual({ wrapPayload, status: 401 })
		}
		expect((await ours.activate(activation.challenge)).status).toBe(200)
	})

	test("an operator-provisioned vendor key is checked: the board with it activates, a wrong HMAC is refused", async () => {
		const deviceId = newMac()
		const vendorKey = randomBytes(32)
		const run = await deviceScript(['hmac-key', deviceId, vendorKey.toString('hex')], { DATABASE_URL: db.url, ENCRYPTION_KEY, ESP32_SHARED_SECRET: TEST_SECRET })
		expect(run.code).toBe(0)
		const serialNumber = 'SN-VENDOR-PROVISIONED-0000000001'
		const clientId = randomUUID()
		for (const wrapPayload of [false, true]) {
			const forged = new XiaozhiFirmware(`${gw.url}/xiaozhi/ota/`, { deviceId, clientId, serialNumber, hmacKey: randomBytes(32), wrapPayload })
			const { activation } = (await (await forged.checkIn()).json()) as { activation: { challenge: string } }
			expect((await forged.activate(activation.challenge)).status).toBe(401)
		}
		const real = new XiaozhiFirmware(`${gw.url}/xiaozhi/ota/`, { deviceId, clientId, serialNumber, hmacKey: vendorKey, wrapPayload: true })
		const boot = await real.boot()
		expect(boot.gaveUp).toBe(false)
		await reachesWebSocket(real, boot.websocket)
	})
})

describe('with pairing required', () => {
	let gw: GatewayProcess

	beforeAll(async () => {
		gw = await startGatewayProcess(gatewayEnv(true))
	})
	afterAll(async () => {
		await gw?.stop()
	})

	test('the toy polls at the firmware pace (202) until its parent claims it, then opens its WebSocket', async () => {
		const fw = new XiaozhiFirmware(`${gw.url}/xiaozhi/ota/`, { deviceId: newMac(), clientId: randomUUID() }, { maxCheckIns: 30 })
		let claimed: Promise<number> | undefined
		const boot = await fw.boot((code) => {
			// the parent types the code a while after the toy first said it
			claimed ??= Bun.sleep(1500).then(() => claim(gw, code))
		})
		expect(boot.gaveUp).toBe(false)
		expect(await claimed).toBe(200)
		// bounded: every check-in after the first followed ten 202 polls of the firmware's pace
		expect(boot.checkIns).toBeLessThanOrEqual(Math.ceil(boot.activations / 10) + 1)
		expect(boot.activateStatuses.filter((s) => s === 202).length).toBeGreaterThan(0)
		await reachesWebSocket(fw, boot.websocket)
	})

	test('a vendor-key board waits (202) like any other, and is not refused for a key the gateway cannot check', async () => {
		const fw = new XiaozhiFirmware(
			`${gw.url}/xiaozhi/ota/`,
			{ deviceId: newMac(), clientId: randomUUID(), serialNumber: 'SN-VENDOR-0000000000000000000002', hmacKey: randomBytes(32) },
			{ maxCheckIns: 2 },
		)
		const boot = await fw.boot()
		expect(boot.gaveUp).toBe(true)
		expect(new Set(boot.activateStatuses)).toEqual(new Set([202]))
		expect(boot.activations).toBe(20)
	})
})
