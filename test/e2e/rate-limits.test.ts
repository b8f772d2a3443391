import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { createTestDatabase, requireEnv, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { signUp, startParentApp, TEST_AUTH_SECRET, TEST_ENCRYPTION_KEY } from '../support/parent-app'
import { seedUrl, v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// REST and upgrade rate limits against real gateway processes (PROTOCOL.md §5), with the attacks
// outside testers ran: a device flooding its own tokens, guessing the parent token, an
// unauthenticated OTA flood registering devices, clients behind a NAT or a load balancer, and
// replicas sharing one Redis. A good toy keeps talking through each.

let db: TestDatabase
let sql: postgres.Sql

beforeAll(async () => {
	db = await createTestDatabase()
	sql = postgres(db.url, { max: 2, onnotice: () => {} })
})

afterAll(async () => {
	await sql?.end()
	await db?.drop()
})

async function withGateway(env: Record<string, string>, run: (gw: GatewayProcess) => Promise<void>): Promise<void> {
	const gw = await startGatewayProcess({ DATABASE_URL: db.url, ...env })
	try {
		await run(gw)
	} finally {
		await gw.stop()
	}
}

/** Sends `n` requests, `parallel` at a time, and returns their responses in order. */
async function flood(n: number, request: (i: number) => Promise<Response>, parallel = 25): Promise<Response[]> {
	const out: Response[] = []
	for (let i = 0; i < n; i += parallel) {
		const batch = await Promise.all(Array.from({ length: Math.min(parallel, n - i) }, (_, k) => request(i + k)))
		out.push(...batch)
	}
	return out
}

const statuses = (rs: Response[]) => rs.map((r) => r.status)
const count = (rs: Response[], status: number) => rs.filter((r) => r.status === status).length

async function expectRateLimited(r: Response): Promise<void> {
	expect(r.status).toBe(429)
	expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
	const body = (await r.json()) as { code: string; message: string }
	expect(body.code).toBe('RATE_LIMITED')
	expect(body.message.length).toBeGreaterThan(0)
}

function checkIn(gw: GatewayProcess, deviceId: string, headers: Record<string, string> = {}): Promise<Response> {
	return fetch(`${gw.url}/xiaozhi/ota/`, {
		method: 'POST',
		headers: { 'Device-Id': deviceId, 'Client-Id': 'c0ffee00-0000-4000-8000-000000000000', 'Content-Type': 'application/json', ...headers },
		body: JSON.stringify({ application: { version: '1.0.0' } }),
	})
}

function tokenExchange(gw: GatewayProcess, deviceId: string): Promise<Response> {
	return fetch(`${gw.url}/api/v1/devices/token`, {
		method: 'POST',
		headers: { 'Device-Id': deviceId, Authorization: `Bearer ${v2Token(deviceId)}` },
	})
}

function claim(gw: GatewayProcess, token: string, headers: Record<string, string> = {}): Promise<Response> {
	return fetch(`${gw.url}/api/v1/pair/claim`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
		body: JSON.stringify({ code: '123456', child_id: crypto.randomUUID() }),
	})
}

/** A seed-json toy that answers a typed question: proof that a good toy is still served. */
async function goodToyTalks(toy: TestSocket): Promise<void> {
	toy.messages.length = 0
	toy.send({ type: 'text', text: 'tell me about the moon' })
	await toy.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
}

const devicesLike = async (prefix: string) =>
	Number((await sql<{ n: string }[]>`select count(*) as n from devices where device_id like ${`${prefix}%`}`)[0]!.n)

describe('with the default limits, one address', () => {
	test('a device flooding its own v2 tokens gets 429 with Retry-After; other toys keep their tokens and keep talking', async () => {
		await withGateway({}, async (gw) => {
			const toy = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'good-toy-1' }))
			await toy.opened
			const rs = await flood(120, () => tokenExchange(gw, 'flooder-1'))
			expect(count(rs, 200)).toBe(30) // TOKENS_PER_DEVICE_PER_MINUTE
			expect(count(rs, 429)).toBe(90)
			await expectRateLimited(rs.find((r) => r.status === 429)!)
			// the flooder's own socket is refused the same way
			const again = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'flooder-1' }))
			expect((await again.closed).code).toBe(4429)
			expect(again.messages[0]).toMatchObject({ type: 'error', code: 'RATE_LIMITED' })
			// everyone else is untouched
			expect((await tokenExchange(gw, 'bystander-1')).status).toBe(200)
			await goodToyTalks(toy)
			toy.close()
		})
	})

	test('guessing the parent token is cut off with 429 and Retry-After', async () => {
		// a real parent of this database (same AUTH_SECRET), so a right token past the limit can be tried
		const pa = await startParentApp({ databaseUrl: db.url })
		const parent = await signUp(pa)
		await pa.close()
		await withGateway({ AUTH_SECRET: TEST_AUTH_SECRET, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }, async (gw) => {
			const rs = await flood(100, (i) => claim(gw, `guess-${i}-${randomBytes(8).toString('hex')}`))
			expect(count(rs, 401)).toBe(60) // PARENT_REQUESTS_PER_IP_PER_MINUTE
			expect(count(rs, 429)).toBe(40)
			await expectRateLimited(rs.at(-1)!)
			// once limited, even the right token waits: a correct guess past the limit gains nothing
			expect((await claim(gw, parent.token)).status).toBe(429)
		})
	})

	test('an unauthenticated OTA flood from one address stops registering devices; spoofed X-Forwarded-For does not help', async () => {
		await withGateway({}, async (gw) => {
			const toy = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'good-toy-2' }))
			await toy.opened
			const rs = await flood(360, (i) => checkIn(gw, `ota-flood-${i}`))
			expect(count(rs, 200)).toBe(300) // DEVICE_REQUESTS_PER_IP_PER_MINUTE
			await expectRateLimited(rs.at(-1)!)
			// the gateway trusts no proxy by default, so a forwarded address is ignored
			const spoofed = await flood(40, (i) => checkIn(gw, `ota-spoof-${i}`, { 'X-Forwarded-For': `198.51.100.${i}` }))
			expect(new Set(statuses(spoofed))).toEqual(new Set([429]))
			expect(await devicesLike('ota-flood-')).toBe(300)
			expect(await devicesLike('ota-spoof-')).toBe(0)
			await goodToyTalks(toy)
			toy.close()
		})
	})
})

describe('behind a trusted proxy', () => {
	const proxied = {
		TRUSTED_PROXIES: '127.0.0.0/8',
		DEVICE_REGISTRATIONS_PER_MINUTE: '50',
		CONNECTIONS_PER_IP_PER_MINUTE: '5',
	}

	test('many addresses registering new devices hit the global ceiling; known toys still check in', async () => {
		await withGateway(proxied, async (gw) => {
			expect((await checkIn(gw, 'known-toy-1', { 'X-Forwarded-For': '192.0.2.1' })).status).toBe(200)
			const rs = await flood(150, (i) => checkIn(gw, `wide-flood-${i}`, { 'X-Forwarded-For': `203.0.113.${i}` }))
			expect(count(rs, 200)).toBe(49) // the known toy took one registration of the 50
			await expectRateLimited(rs.at(-1)!)
			expect(await devicesLike('wide-flood-')).toBe(49)
			// a toy that is already registered is not a new device: it checks in as before
			expect((await checkIn(gw, 'known-toy-1', { 'X-Forwarded-For': '192.0.2.1' })).status).toBe(200)
		})
	})

	test('each client behind the proxy has its own budget, and a forged left-hand X-Forwarded-For entry changes nothing', async () => {
		await withGateway({ ...proxied, DEVICE_REGISTRATIONS_PER_MINUTE: '100000' }, async (gw) => {
			// the attacker at 203.0.113.7 prepends a fresh fake address to every request
			const attacker = await flood(320, (i) => checkIn(gw, `nat-a-${i}`, { 'X-Forwarded-For': `10.9.${i % 250}.1, 203.0.113.7` }))
			expect(count(attacker, 200)).toBe(300)
			expect(count(attacker, 429)).toBe(20)
			// another household behind the same proxy is not affected
			const neighbour = await flood(20, (i) => checkIn(gw, `nat-b-${i}`, { 'X-Forwarded-For': '203.0.113.8' }))
			expect(new Set(statuses(neighbour))).toEqual(new Set([200]))
		})
	})

	test('WebSocket upgrades count per forwarded client too', async () => {
		await withGateway(proxied, async (gw) => {
			const open = async (deviceId: string, client: string): Promise<number> => {
				// a header the proxy set: Bun's WebSocket client sends it on the upgrade request
				const s = new TestSocket(seedUrl(gw.wsUrl, { device_id: deviceId }), { 'X-Forwarded-For': client })
				const first = await Promise.race([s.opened.then(() => 0), s.closed.then((c) => c.code)])
				if (first !== 0) return first
				const winner = await Promise.race([s.closed.then((c) => c.code), Bun.sleep(300).then(() => 0)])
				s.close()
				return winner
			}
			const codes: number[] = []
			for (let i = 0; i < 6; i++) codes.push(await open(`ws-p-${i}`, '198.51.100.20'))
			expect(codes.slice(0, 5)).toEqual([0, 0, 0, 0, 0])
			expect(codes[5]).toBe(4429)
			// a toy of another household behind the same balancer still connects
			expect(await open('ws-q-0', '198.51.100.21')).toBe(0)
		})
	})
})

describe('replicas sharing one Redis', () => {
	test('share one budget per client', async () => {
		const shared = { REDIS_URL: requireEnv('TEST_REDIS_URL'), REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}:` }
		const a = await startGatewayProcess({ DATABASE_URL: db.url, ...shared })
		const b = await startGatewayProcess({ DATABASE_URL: db.url, ...shared })
		try {
			const first = await flood(40, () => claim(a, 'wrong-token-0000000000000000'))
			expect(count(first, 401)).toBe(40)
			const second = await flood(40, () => claim(b, 'wrong-token-0000000000000000'))
			expect(count(second, 401)).toBe(20)
			expect(count(second, 429)).toBe(20)
			await expectRateLimited(second.at(-1)!)
		} finally {
			await Promise.all([a.stop(), b.stop()])
		}
	})
})
