import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import postgres from 'postgres'
import { consentRefusalLine } from '../../gateway/src/safety/consent'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import {
	type Api,
	addChild,
	APP_URL,
	call,
	gatewayApi,
	giveConsent,
	type SignedInParent,
	signUp,
	TEST_AUTH_SECRET,
	TEST_ENCRYPTION_KEY,
} from '../support/parent-app'
import { seedUrl, v2Token } from '../support/seed-url'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'
import { TestSocket } from '../support/ws-client'

// Verifiable parental consent gates both device WebSocket paths of a real gateway: without it the
// toy says so kindly in its own voice and is closed with 4403; with it the toy talks; withdrawing it
// closes a live toy at once. With a remote AI service the separate third-party consent is needed too.

let db: TestDatabase
let sql: postgres.Sql
let sink: SmtpSink

beforeAll(async () => {
	db = await createTestDatabase()
	sql = postgres(db.url, { max: 2, onnotice: () => {} })
	sink = startSmtpSink()
})
afterAll(async () => {
	sink?.stop()
	await sql?.end()
	await db?.drop()
})

const env = () => ({
	DATABASE_URL: db.url,
	SMTP_URL: sink.url,
	PUBLIC_APP_URL: APP_URL,
	AUTH_SECRET: TEST_AUTH_SECRET,
	ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
	REQUIRE_PAIRING: 'true',
})

async function pairedToy(deviceId: string, childId: string): Promise<void> {
	await sql`insert into devices (device_id, paired_child_id) values (${deviceId}, ${childId})
		on conflict (device_id) do update set paired_child_id = excluded.paired_child_id`
}

async function xiaozhi(gw: GatewayProcess, deviceId: string): Promise<TestSocket> {
	const s = new TestSocket(`${gw.wsUrl}/xiaozhi/v1/`, {
		Authorization: `Bearer ${v2Token(deviceId)}`,
		'Protocol-Version': '1',
		'Device-Id': deviceId,
		'Client-Id': 'c1',
	})
	await s.opened
	s.send({ type: 'hello', version: 1, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
	return s
}

/** The toy said the line (text and audio), then got CONSENT_REQUIRED and 4403. */
async function expectRefusedXiaozhi(s: TestSocket, line: string): Promise<void> {
	// the child talks meanwhile: nothing of it is heard
	s.send({ type: 'listen', state: 'start', mode: 'manual' })
	s.send(new Uint8Array([0xf8, 0xff, 0xfe]))
	const { code } = await s.closed
	expect(code).toBe(4403)
	const order = s.messages.map((m) => (m.type === 'tts' ? `tts:${m.state}` : String(m.type)))
	// the face (llm emotion) comes with the line, as with every sentence
	expect(order).toEqual(['hello', 'tts:start', 'llm', 'tts:sentence_start', 'tts:stop', 'error'])
	expect(s.messages.find((m) => m.state === 'sentence_start')?.text).toBe(line)
	expect(s.messages.at(-1)).toMatchObject({ type: 'error', code: 'CONSENT_REQUIRED' })
	// a few seconds of speech, in 60 ms Opus frames
	expect(s.binary.length).toBeGreaterThan(20)
	expect(s.messages.some((m) => m.type === 'stt')).toBe(false)
}

async function expectRefusedSeed(s: TestSocket, line: string): Promise<void> {
	await s.opened
	const { code } = await s.closed
	expect(code).toBe(4403)
	const pieces = s.messages.filter((m) => m.type === 'audio_response')
	expect(pieces.length).toBeGreaterThan(20)
	expect(pieces[0]).toMatchObject({ text: line, format: 'opus' })
	expect(pieces.at(-1)).toMatchObject({ final: true })
	expect(s.messages.at(-1)).toMatchObject({ type: 'error', code: 'CONSENT_REQUIRED' })
}

describe('parental consent (offline provider)', () => {
	let gw: GatewayProcess
	let api: Api
	let parent: SignedInParent
	beforeAll(async () => {
		gw = await startGatewayProcess(env())
		api = gatewayApi(gw.url, sink)
		parent = await signUp(api)
	})
	afterAll(async () => {
		await gw?.stop()
	})

	test('xiaozhi: without consent the toy says why, then 4403', async () => {
		const child = await addChild(api, parent)
		await pairedToy('consent-xz-1', child)
		await expectRefusedXiaozhi(await xiaozhi(gw, 'consent-xz-1'), consentRefusalLine.coppa)
	})

	test('seed-json: without consent the toy says why, then 4403', async () => {
		const child = await addChild(api, parent)
		await pairedToy('consent-seed-1', child)
		await expectRefusedSeed(new TestSocket(seedUrl(gw.wsUrl, { device_id: 'consent-seed-1' })), consentRefusalLine.coppa)
		// nothing the toy said about the child (its name in the query) was kept without consent
		expect((await sql`select 1 from children where external_id = 'child-consent-seed-1'`).length).toBe(0)
	})

	test('with consent the toy talks; withdrawing it closes the live toy with 4403', async () => {
		const child = await addChild(api, parent)
		await pairedToy('consent-xz-2', child)
		await giveConsent(api, parent, child)
		const s = await xiaozhi(gw, 'consent-xz-2')
		await s.waitFor((m) => m.type === 'hello')
		s.send({ type: 'listen', state: 'detect', text: 'hello teddy' })
		const said = await s.waitFor((m) => m.type === 'tts' && m.state === 'sentence_start', 30_000)
		expect(said.text).not.toBe(consentRefusalLine.coppa)
		expect(s.messages.some((m) => m.type === 'error')).toBe(false)
		const r = await call(api, 'DELETE', `/api/v1/children/${child}/consent`, { token: parent.token })
		expect(await r.json()).toMatchObject({ disconnected: 1 })
		await s.waitFor((m) => m.type === 'error' && m.code === 'CONSENT_REQUIRED', 5_000)
		expect((await s.closed).code).toBe(4403)
		// and it is refused when it comes back
		const again = await xiaozhi(gw, 'consent-xz-2')
		expect((await again.waitFor((m) => m.state === 'sentence_start')).text).toBe(consentRefusalLine.coppa)
		again.close()
	})

	test('seed-json with consent talks', async () => {
		const child = await addChild(api, parent)
		await pairedToy('consent-seed-2', child)
		await giveConsent(api, parent, child)
		const s = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'consent-seed-2' }))
		await s.opened
		s.send({ type: 'text', text: 'hello teddy' })
		const first = await s.waitFor((m) => m.type === 'audio_response' && Boolean(m.text), 30_000)
		expect(first.text).not.toBe(consentRefusalLine.coppa)
		expect(s.messages.some((m) => m.type === 'error')).toBe(false)
		s.close()
	})
})

describe('third-party AI consent (remote provider)', () => {
	let gw: GatewayProcess
	let api: Api
	let parent: SignedInParent
	beforeAll(async () => {
		// ? Nothing is ever sent there: the handshake decides before any turn.
		gw = await startGatewayProcess({ ...env(), OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' })
		api = gatewayApi(gw.url, sink)
		parent = await signUp(api)
	})
	afterAll(async () => {
		await gw?.stop()
	})

	test('parental consent alone is not enough when the child’s words would leave the gateway', async () => {
		const policy = (await (await call(api, 'GET', '/api/v1/consent/policy')).json()) as { third_party_ai_required: boolean }
		expect(policy.third_party_ai_required).toBe(true)
		const child = await addChild(api, parent)
		await giveConsent(api, parent, child, false)
		await pairedToy('consent-xz-3', child)
		await pairedToy('consent-seed-3', child)
		const refused = await xiaozhi(gw, 'consent-xz-3')
		expect((await refused.waitFor((m) => m.state === 'sentence_start')).text).toBe(consentRefusalLine.third_party_ai)
		refused.close()
		const seed = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'consent-seed-3' }))
		expect((await seed.waitFor((m) => m.type === 'audio_response')).text).toBe(consentRefusalLine.third_party_ai)
		seed.close()
		await giveConsent(api, parent, child, true)
		const s = await xiaozhi(gw, 'consent-xz-3')
		await s.waitFor((m) => m.type === 'hello')
		await Bun.sleep(300)
		expect(s.messages.some((m) => m.type === 'error')).toBe(false)
		s.close()
	})
})
