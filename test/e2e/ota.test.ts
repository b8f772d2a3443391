import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { SignJWT } from 'jose'
import postgres from 'postgres'
import { DeviceRepository } from '../../gateway/src/store'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'
import { addChild, type ParentApp, type SignedInParent, signUp, startParentApp, TEST_AUTH_SECRET, TEST_ENCRYPTION_KEY } from '../support/parent-app'
import { legacyToken, v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// The xiaozhi boot check-in and activation (PROTOCOL.md §2) against a real gateway, the way stock
// xiaozhi-esp32 firmware does it: check in, speak the code, poll activate, connect with the JWT.

const ENCRYPTION_KEY = TEST_ENCRYPTION_KEY

interface CheckIn {
	server_time: { timestamp: number; timezone_offset: number }
	firmware: { version: string; url: string }
	websocket: { url: string; token: string; version: number }
	activation?: { code: string; message: string; challenge: string; timeout_ms: number }
}

const deviceKey = (deviceId: string) => createHmac('sha256', TEST_SECRET).update(`teddy-device-key|${deviceId}`).digest()
const jwtKey = new Uint8Array(createHmac('sha256', TEST_SECRET).update('teddy-device-jwt').digest())

// What xiaozhi-esp32 posts (trimmed), with fields the gateway does not know about.
const firmwareBody = (deviceId: string) => ({
	version: 2,
	language: 'en-US',
	flash_size: 16777216,
	mac_address: deviceId,
	uuid: 'c0ffee00-0000-4000-8000-000000000001',
	chip_model_name: 'esp32s3',
	application: { name: 'xiaozhi', version: '1.6.2', compile_time: 'Jan 1 2026', idf_version: 'v5.4', elf_sha256: 'ab'.repeat(32) },
	partition_table: [{ label: 'nvs', type: 1, subtype: 2, address: 36864, size: 16384 }],
	board: { type: 'teddy-s3', name: 'teddy-s3', ssid: 'home', rssi: -50, channel: 6, ip: '192.168.1.9', mac: deviceId },
})

class Toy {
	/** The UUID xiaozhi firmware keeps in flash and sends on every request. */
	readonly clientId = crypto.randomUUID()

	constructor(
		readonly gw: GatewayProcess,
		readonly deviceId: string,
	) {}

	async checkIn(headers: Record<string, string> = {}): Promise<Response> {
		return fetch(`${this.gw.url}/xiaozhi/ota/`, {
			method: 'POST',
			headers: { 'Device-Id': this.deviceId, 'Client-Id': this.clientId, 'Content-Type': 'application/json', ...headers },
			body: JSON.stringify(firmwareBody(this.deviceId)),
		})
	}

	async otaOk(headers: Record<string, string> = {}): Promise<CheckIn> {
		const r = await this.checkIn(headers)
		expect(r.status).toBe(200)
		return (await r.json()) as CheckIn
	}

	activate(body: object = {}): Promise<Response> {
		return fetch(`${this.gw.url}/xiaozhi/ota/activate`, {
			method: 'POST',
			headers: { 'Device-Id': this.deviceId, 'Client-Id': this.clientId, 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		})
	}

	async connect(token: string, url = `${this.gw.wsUrl}/xiaozhi/v1/`): Promise<TestSocket> {
		const s = new TestSocket(url, { Authorization: `Bearer ${token}`, 'Protocol-Version': '3', 'Device-Id': this.deviceId, 'Client-Id': this.clientId })
		await s.opened
		return s
	}

	async hello(token: string, url?: string): Promise<Record<string, unknown>> {
		const s = await this.connect(token, url)
		s.send({ type: 'hello', version: 3, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
		const hello = await s.waitFor((m) => m.type === 'hello')
		s.close()
		return hello
	}

	async refusedWith(token: string): Promise<number> {
		const s = await this.connect(token)
		const { code } = await s.closed
		expect(s.messages.find((m) => m.type === 'error')).toBeDefined()
		return code
	}
}

async function claim(gw: GatewayProcess, body: object): Promise<Response> {
	return fetch(`${gw.url}/api/v1/pair/claim`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${parent.token}`, 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	})
}

let db: TestDatabase
let sql: postgres.Sql
let devices: DeviceRepository
// a parent made in process on the gateways' database (same AUTH_SECRET): the claims are theirs
let pa: ParentApp
let parent: SignedInParent

beforeAll(async () => {
	db = await createTestDatabase()
	sql = postgres(db.url, { max: 2, onnotice: () => {} })
	devices = new DeviceRepository(sql)
	pa = await startParentApp({ databaseUrl: db.url })
	parent = await signUp(pa)
})

afterAll(async () => {
	await pa?.close()
	await sql?.end()
	await db?.drop()
})

const newChild = (name = 'Mia') => addChild(pa, parent, { name, age: 6 })

describe('xiaozhi OTA with pairing optional', () => {
	let gw: GatewayProcess
	beforeAll(async () => {
		gw = await startGatewayProcess({ DATABASE_URL: db.url, ENCRYPTION_KEY, AUTH_SECRET: TEST_AUTH_SECRET, REQUIRE_PAIRING: 'false' })
	})
	afterAll(async () => {
		await gw?.stop()
	})

	test('a new toy gets server time, firmware, websocket with a token, and an activation code', async () => {
		const before = Date.now()
		const reply = await new Toy(gw, 'aa:bb:cc:00:00:01').otaOk()
		expect(reply.server_time.timestamp).toBeGreaterThanOrEqual(before)
		expect(reply.server_time.timestamp).toBeLessThanOrEqual(Date.now())
		expect(reply.server_time.timezone_offset).toBe(0)
		expect(reply.firmware).toEqual({ version: '1.6.2', url: '' })
		expect(reply.websocket.url).toBe(`${gw.wsUrl}/xiaozhi/v1/`)
		expect(reply.websocket.version).toBe(3)
		expect(reply.websocket.token.split('.')).toHaveLength(3)
		expect(reply.activation?.code).toMatch(/^\d{6}$/)
		expect(reply.activation?.message).toContain(reply.activation!.code.split('').join(' '))
		expect(reply.activation?.challenge).toMatch(/^[0-9a-f]{32}$/)
		expect(reply.activation?.timeout_ms).toBeGreaterThan(0)
	})

	test('a toy that checks in again keeps its code', async () => {
		const toy = new Toy(gw, 'aa:bb:cc:00:00:02')
		const first = await toy.otaOk()
		const second = await toy.otaOk()
		expect(second.activation?.code).toBe(first.activation!.code)
		expect(second.activation?.challenge).toBe(first.activation!.challenge)
	})

	test('the token from OTA opens the WebSocket it names (hello round trip)', async () => {
		const toy = new Toy(gw, 'aa:bb:cc:00:00:03')
		const { websocket } = await toy.otaOk()
		const hello = await toy.hello(websocket.token, websocket.url)
		expect(hello.transport).toBe('websocket')
		expect(typeof hello.session_id).toBe('string')
	})

	test('after a parent claims the code, OTA has no activation and activate returns 200', async () => {
		const toy = new Toy(gw, 'aa:bb:cc:00:00:04')
		const first = await toy.otaOk()
		const waiting = await toy.activate()
		expect(waiting.status).toBe(200)
		expect(await waiting.json()).toMatchObject({ paired: false })
		const childId = await newChild()
		const claimed = await claim(gw, { code: first.activation!.code, child_id: childId })
		expect(claimed.status).toBe(200)
		expect(await claimed.json()).toEqual({ device_id: toy.deviceId, child_id: childId, paired: true })
		// the token it got while it waited still works once paired
		expect((await toy.hello(first.websocket.token)).type).toBe('hello')
		const after = await toy.otaOk()
		expect(after.activation).toBeUndefined()
		const activated = await toy.activate()
		expect(activated.status).toBe(200)
		expect(await activated.json()).toMatchObject({ status: 'activated', paired: true })
	})

	test('refuses a JWT of another device, an expired JWT and a tampered JWT with 4401', async () => {
		const toy = new Toy(gw, 'aa:bb:cc:00:00:05')
		await toy.otaOk()
		const other = await new Toy(gw, 'aa:bb:cc:00:00:06').otaOk()
		expect(await toy.refusedWith(other.websocket.token)).toBe(4401)

		const now = Math.floor(Date.now() / 1000)
		const expired = await new SignJWT({ typ: 'device', gen: 0 })
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setSubject(toy.deviceId)
			.setIssuedAt(now - 31 * 24 * 3600)
			.setExpirationTime(now - 60)
			.setJti(crypto.randomUUID())
			.sign(jwtKey)
		expect(await toy.refusedWith(expired)).toBe(4401)

		const [h, p, s] = other.websocket.token.split('.')
		const claims = JSON.parse(Buffer.from(p!, 'base64url').toString())
		const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: toy.deviceId })).toString('base64url')}.${s}`
		expect(await toy.refusedWith(tampered)).toBe(4401)
	})

	test('a JWT issued before the toy was unpaired is refused; checking in again gives one that works', async () => {
		const toy = new Toy(gw, 'aa:bb:cc:00:00:07')
		const first = await toy.otaOk()
		expect((await claim(gw, { code: first.activation!.code, child_id: await newChild() })).status).toBe(200)
		const paired = await toy.otaOk()
		expect((await toy.hello(paired.websocket.token)).type).toBe('hello')
		await devices.unpair(toy.deviceId)
		expect(await toy.refusedWith(paired.websocket.token)).toBe(4401)
		expect(await toy.refusedWith(first.websocket.token)).toBe(4401)
		const fresh = await toy.otaOk()
		expect(fresh.activation?.code).toMatch(/^\d{6}$/)
		expect((await toy.hello(fresh.websocket.token)).type).toBe('hello')
	})

	test('a bad or missing Device-Id gets 400 with code and message', async () => {
		for (const deviceId of ['not a mac!', 'x'.repeat(65)]) {
			const r = await new Toy(gw, deviceId).checkIn()
			expect(r.status).toBe(400)
			const body = (await r.json()) as { code: string; message: string }
			expect(body.code).toBe('BAD_REQUEST')
			expect(body.message).toContain('Device-Id')
		}
		const missing = await fetch(`${gw.url}/xiaozhi/ota/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
		expect(missing.status).toBe(400)
		expect(await missing.json()).toMatchObject({ code: 'BAD_REQUEST' })
		const activate = await new Toy(gw, 'bad id').activate()
		expect(activate.status).toBe(400)
		expect(await activate.json()).toMatchObject({ code: 'BAD_REQUEST' })
	})

	test('activate checks the HMAC answer once the toy proved its device key: 200 when right, 401 on mismatch or replay', async () => {
		const toy = new Toy(gw, 'aa:bb:cc:00:00:08')
		const { activation } = await toy.otaOk()
		const challenge = activation!.challenge
		const right = createHmac('sha256', deviceKey(toy.deviceId)).update(challenge).digest('hex')
		const wrongKey = createHmac('sha256', deviceKey('aa:bb:cc:00:00:09')).update(challenge).digest('hex')
		const answer = (hmac: string, c = challenge) => ({ algorithm: 'hmac-sha256', serial_number: 'SN-TEDDY-0008', challenge: c, hmac })
		// a malformed HMAC is right under no key
		expect((await toy.activate(answer('zz'))).status).toBe(401)
		expect((await toy.activate(answer(right))).status).toBe(200)
		const mismatch = await toy.activate(answer(wrongKey))
		expect(mismatch.status).toBe(401)
		expect(await mismatch.json()).toMatchObject({ code: 'UNAUTHORIZED' })
		// a correctly signed answer to a challenge this toy was not given is a replay
		const stale = createHmac('sha256', deviceKey(toy.deviceId)).update('0'.repeat(32)).digest('hex')
		expect((await toy.activate(answer(stale, '0'.repeat(32)))).status).toBe(401)
		expect((await toy.activate({ algorithm: 'sha1', challenge, hmac: right })).status).toBe(400)
	})

	test('a v2 token buys a device JWT that opens the WebSocket; a legacy token does not', async () => {
		const deviceId = 'teddy-sn-0010'
		const r = await fetch(`${gw.url}/api/v1/devices/token`, {
			method: 'POST',
			headers: { 'Device-Id': deviceId, Authorization: `Bearer ${v2Token(deviceId)}` },
		})
		expect(r.status).toBe(200)
		const body = (await r.json()) as { token: string; token_type: string; expires_in: number }
		expect(body.token_type).toBe('Bearer')
		expect(body.expires_in).toBe(30 * 24 * 3600)
		expect((await new Toy(gw, deviceId).hello(body.token)).type).toBe('hello')
		const legacy = await fetch(`${gw.url}/api/v1/devices/token`, {
			method: 'POST',
			headers: { 'Device-Id': deviceId, Authorization: `Bearer ${legacyToken(deviceId)}` },
		})
		expect(legacy.status).toBe(401)
		const none = await fetch(`${gw.url}/api/v1/devices/token`, { method: 'POST', headers: { 'Device-Id': deviceId } })
		expect(none.status).toBe(401)
	})

	test('v2 and legacy tokens still open the WebSocket as before', async () => {
		const toy = new Toy(gw, 'aa:bb:cc:00:00:11')
		expect((await toy.hello(v2Token(toy.deviceId))).type).toBe('hello')
		expect((await toy.hello(legacyToken(toy.deviceId))).type).toBe('hello')
	})
})

describe('xiaozhi OTA with pairing required', () => {
	let gw: GatewayProcess
	const publicWsUrl = 'wss://toys.example.com/xiaozhi/v1/'
	beforeAll(async () => {
		gw = await startGatewayProcess({
			DATABASE_URL: db.url,
			ENCRYPTION_KEY,
			AUTH_SECRET: TEST_AUTH_SECRET,
			REQUIRE_PAIRING: 'true',
			OTA_REQUIRE_DEVICE_AUTH: 'true',
			PUBLIC_WS_URL: publicWsUrl,
		})
	})
	afterAll(async () => {
		await gw?.stop()
	})

	test('an unpaired toy gets 4403 on the WebSocket and 202 from activate until a parent claims it', async () => {
		const toy = new Toy(gw, 'aa:bb:cc:00:01:01')
		const reply = await toy.otaOk({ Authorization: `Bearer ${v2Token(toy.deviceId)}` })
		expect(reply.websocket.url).toBe(publicWsUrl)
		expect(await toy.refusedWith(reply.websocket.token)).toBe(4403)
		const waiting = await toy.activate()
		expect(waiting.status).toBe(202)
		expect(await waiting.json()).toMatchObject({ status: 'waiting', paired: false })
		expect((await claim(gw, { code: reply.activation!.code, child_id: await newChild('Leo') })).status).toBe(200)
		expect((await toy.activate()).status).toBe(200)
		expect((await toy.hello(reply.websocket.token)).type).toBe('hello')
	})

	test('with OTA_REQUIRE_DEVICE_AUTH a Device-Id alone is not enough to be given a token', async () => {
		const toy = new Toy(gw, 'aa:bb:cc:00:01:02')
		const bare = await toy.checkIn()
		expect(bare.status).toBe(401)
		expect(await bare.json()).toMatchObject({ code: 'UNAUTHORIZED' })
		const forged = await toy.checkIn({ Authorization: `Bearer ${v2Token('aa:bb:cc:00:01:03')}` })
		expect(forged.status).toBe(401)
	})
})
