import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { makeV2Token } from '../../bench/lib/token'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'
import { operatorEnv, operatorToken } from '../support/operator-account'

// GET /api/v1/esp32/config (PROTOCOL.md §2, issue 15): what a toy needs at boot, with an ETag so a
// toy that has it gets 304; an operator's per-model or per-family override changes the body and
// with it the ETag. A real gateway process on its own PostgreSQL database.

let db: TestDatabase
let gw: GatewayProcess
let op: string

beforeAll(async () => {
	db = await createTestDatabase()
	gw = await startGatewayProcess({ ...operatorEnv(db.url), NTP_SERVERS: 'ntp.example.test,pool.ntp.org' })
	op = await operatorToken(db.url, gw.url)
})
afterAll(async () => {
	await gw?.stop()
	await db?.drop()
})

const config = (query = '', headers: Record<string, string> = {}) => fetch(`${gw.url}/api/v1/esp32/config${query}`, { headers })
const asOperator = (method: string, path: string, body?: unknown) =>
	fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${op}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })

describe('device config', () => {
	test('a 200 with what a seed toy needs, then 304 for its ETag', async () => {
		const r = await config()
		expect(r.status).toBe(200)
		const etag = r.headers.get('etag')
		expect(etag).toMatch(/^"[0-9a-f]{32}"$/)
		const body = (await r.json()) as Record<string, any>
		const host = new URL(gw.url).host
		expect(body.websocket).toEqual({ url: `ws://${host}/api/v1/esp32/private/chat`, path: '/api/v1/esp32/private/chat', protocol: 'seed-json' })
		expect(body.audio.output).toMatchObject({ format: 'mp3', sample_rate: 22050 })
		expect(body.audio.input).toMatchObject({ format: 'opus', sample_rate: 16000 })
		expect(body.ntp_servers).toEqual(['ntp.example.test', 'pool.ntp.org'])
		expect(body.limits).toMatchObject({ text_frame_bytes: 16384, turn_max_ms: 30000, token_window_seconds: 120 })
		expect(body.claim).toEqual({ path: '/api/v1/pair/claim', salt: expect.stringMatching(/^[0-9a-f]{16}$/) })
		expect(Math.abs(body.server_time - Date.now())).toBeLessThan(60_000)
		// the firmware keeps the body in a 2 KiB buffer (firmware remote_config.h)
		expect(JSON.stringify(body).length).toBeLessThan(2048)

		const again = await config('', { 'if-none-match': etag! })
		expect(again.status).toBe(304)
		expect(again.headers.get('etag')).toBe(etag)
		expect(await again.text()).toBe('')
		// ? the time on a 304 is the Date header
		expect(Math.abs(Date.parse(again.headers.get('date')!) - Date.now())).toBeLessThan(60_000)
		// a stale ETag gets the body
		expect((await config('', { 'if-none-match': '"0000"' })).status).toBe(200)
	})

	test('the ETag ignores server_time: the same config a second later is still 304', async () => {
		const etag = (await config()).headers.get('etag')!
		await Bun.sleep(1100)
		const r = await config('', { 'if-none-match': etag })
		expect(r.status).toBe(304)
	})

	test('a per-model override changes that model’s body and ETag, and no other model’s', async () => {
		const before = (await config('?model=teddy-c3')).headers.get('etag')!
		const other = (await config('?model=teddy-s3')).headers.get('etag')!
		const put = await asOperator('PUT', '/api/v1/operator/config-overrides/model/teddy-c3', {
			audio: { output: { format: 'opus', sample_rate: 16000 } },
			features: { vad: false },
			websocket: { protocol: 'binary' },
		})
		expect(put.status).toBe(200)
		const r = await config('?model=teddy-c3', { 'if-none-match': before })
		expect(r.status).toBe(200)
		expect(r.headers.get('etag')).not.toBe(before)
		const body = (await r.json()) as Record<string, any>
		expect(body.audio.output).toMatchObject({ format: 'opus', sample_rate: 16000 })
		expect(body.audio.input.format).toBe('opus') // merged, not replaced
		expect(body.features.vad).toBe(false)
		expect(body.features.mp3).toBe(true)
		expect(body.websocket.url).toEndWith('/xiaozhi/v1/')
		expect((await config('?model=teddy-s3', { 'if-none-match': other })).status).toBe(304)
		// removing it brings the old ETag back
		expect((await asOperator('DELETE', '/api/v1/operator/config-overrides/model/teddy-c3')).status).toBe(200)
		expect((await config('?model=teddy-c3', { 'if-none-match': before })).status).toBe(304)
	})

	test('a per-family override reaches only an authenticated toy of that family', async () => {
		// a toy paired to a child of a family, made straight in the database
		const { default: postgres } = await import('postgres')
		const sql = postgres(db.url, { max: 1, onnotice: () => {} })
		const deviceId = 'Teddy-ESP32-001'
		let familyId: string
		try {
			;[{ id: familyId }] = await sql<{ id: string }[]>`insert into families (id) values (gen_random_uuid()) returning id`
			const [{ id: childId }] = await sql<{ id: string }[]>`
				insert into children (id, family_id, external_id, name_ciphertext, name_nonce, name_key_id, age)
				values (gen_random_uuid(), ${familyId}, 'c-1', '\\x00', '\\x000000000000000000000000', 'k', 7) returning id`
			await sql`insert into devices (device_id, paired_child_id) values (${deviceId}, ${childId})`
		} finally {
			await sql.end()
		}
		const auth = () => ({ 'device-id': deviceId, authorization: `Bearer ${makeV2Token(TEST_SECRET, deviceId)}` })
		const before = (await config('', auth())).headers.get('etag')!
		const anonymous = (await config()).headers.get('etag')!
		expect(before).toBe(anonymous)
		expect((await asOperator('PUT', `/api/v1/operator/config-overrides/family/${familyId!}`, { limits: { turn_max_ms: 15000 } })).status).toBe(200)
		const r = await config('', { ...auth(), 'if-none-match': before })
		expect(r.status).toBe(200)
		expect(((await r.json()) as any).limits.turn_max_ms).toBe(15000)
		// not for anyone who merely names the toy
		expect((await config('', { 'device-id': deviceId, 'if-none-match': anonymous })).status).toBe(304)
		// a bad token is said to be bad, not silently ignored
		const bad = await config('', { 'device-id': deviceId, authorization: 'Bearer v2.1.00000000000000000000000000000000.00' })
		expect(bad.status).toBe(401)
		expect(((await bad.json()) as any).code).toBe('UNAUTHORIZED')
	})

	test('overrides are for operators only and are validated', async () => {
		const anon = await fetch(`${gw.url}/api/v1/operator/config-overrides/model/x`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"features":{"vad":true}}' })
		expect(anon.status).toBe(401)
		const bad = await asOperator('PUT', '/api/v1/operator/config-overrides/model/teddy-c3', { claim: { salt: 'mine' } })
		expect(bad.status).toBe(400)
		expect(((await bad.json()) as any).code).toBe('BAD_REQUEST')
		const list = (await (await asOperator('GET', '/api/v1/operator/config-overrides')).json()) as any
		expect(list.overrides.map((o: any) => o.scope)).toContain('family')
	})

	test('/swagger documents the device config, the firmware channel and their operator routes', async () => {
		const spec = (await (await fetch(`${gw.url}/swagger/json`)).json()) as { paths: Record<string, Record<string, unknown>> }
		expect(Object.keys(spec.paths['/api/v1/esp32/config'] ?? {})).toContain('get')
		expect(Object.keys(spec.paths['/api/v1/esp32/firmware'] ?? {})).toContain('get')
		expect(Object.keys(spec.paths['/api/v1/esp32/firmware/{model}/{file}'] ?? {})).toContain('get')
		expect(Object.keys(spec.paths['/api/v1/operator/firmware/{model}/{version}'] ?? {})).toContain('put')
		expect(Object.keys(spec.paths['/api/v1/operator/firmware/{id}'] ?? {})).toContain('patch')
		expect(Object.keys(spec.paths['/api/v1/operator/config-overrides/{scope}/{key}'] ?? {})).toEqual(expect.arrayContaining(['put', 'delete']))
	})
})
