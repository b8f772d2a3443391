import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import OpusScript from 'opusscript'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { legacyToken, seedUrl, v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// Every bad input gets its documented `error` and close code (PROTOCOL.md §5), and a good toy
// streaming on the same gateway at the same time keeps being served.

let gw: GatewayProcess
let db: TestDatabase

beforeAll(async () => {
	db = await createTestDatabase()
	gw = await startGatewayProcess({ DATABASE_URL: db.url, TEDDY_CODEC: process.env.TEDDY_CODEC })
})

afterAll(async () => {
	await gw?.stop()
	await db?.drop()
})

function sine(samples: number): Buffer {
	const pcm = new Int16Array(samples)
	for (let i = 0; i < samples; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / 16000))
	return Buffer.from(pcm.buffer)
}

const encoder = new OpusScript(16000, 1, OpusScript.Application.VOIP)
const packet = encoder.encode(sine(960), 960).toString('base64')

async function openGood(deviceId: string): Promise<TestSocket> {
	const s = new TestSocket(seedUrl(gw.wsUrl, { device_id: deviceId }))
	await s.opened
	s.send({ type: 'ping' })
	await s.waitFor((m) => m.type === 'pong')
	return s
}

async function expectRefusal(s: TestSocket, code: string, closeCode: number): Promise<void> {
	const closed = await s.closed
	const err = s.messages.find((m) => m.type === 'error')
	expect(err?.code).toBe(code)
	expect(typeof err?.message).toBe('string')
	expect(closed.code).toBe(closeCode)
}

async function sendAfterOpen(deviceId: string, frame: string | object): Promise<TestSocket> {
	const s = await openGood(deviceId)
	s.send(frame)
	return s
}

describe('seed-json bad input', () => {
	const cases: Array<[string, () => Promise<TestSocket>, string, number]> = [
		['bad token', async () => new TestSocket(seedUrl(gw.wsUrl, { device_id: 'bad-tok', token: legacyToken('someone-else') })), 'UNAUTHORIZED', 4401],
		['token signed for another device', async () => new TestSocket(seedUrl(gw.wsUrl, { device_id: 'dev-a', token: v2Token('dev-b') })), 'UNAUTHORIZED', 4401],
		['expired token', async () => new TestSocket(seedUrl(gw.wsUrl, { device_id: 'old-tok', token: v2Token('old-tok', undefined, Math.floor(Date.now() / 1000) - 600) })), 'UNAUTHORIZED', 4401],
		['age 2', async () => new TestSocket(seedUrl(gw.wsUrl, { device_id: 'age-2', child_age: 2 })), 'INVALID_AGE', 4400],
		['age 14', async () => new TestSocket(seedUrl(gw.wsUrl, { device_id: 'age-14', child_age: 14 })), 'INVALID_AGE', 4400],
		['malformed JSON', () => sendAfterOpen('bad-json', '{"type": "ping"'), 'INVALID_JSON', 4400],
		['unknown type', () => sendAfterOpen('bad-type', { type: 'dance' }), 'UNKNOWN_TYPE', 4400],
		['wrong field type', () => sendAfterOpen('bad-field', { type: 'audio_start', sample_rate: 'fast' }), 'INVALID_MESSAGE', 4400],
		['oversized frame', () => sendAfterOpen('big-frame', { type: 'text', text: 'x'.repeat(20_000) }), 'FRAME_TOO_LARGE', 4413],
		[
			'invalid base64',
			async () => {
				const s = await sendAfterOpen('bad-b64', { type: 'audio_start', format: 'opus', sample_rate: 16000 })
				s.send({ type: 'audio_chunk', audio_data: '!!not*base64!!' })
				return s
			},
			'INVALID_MESSAGE',
			4400,
		],
		[
			'garbage Opus',
			async () => {
				const s = await sendAfterOpen('bad-opus', { type: 'audio_start', format: 'opus', sample_rate: 16000 })
				// A TOC byte announcing a code-3 packet with an impossible frame count.
				s.send({ type: 'audio_chunk', audio_data: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00]).toString('base64') })
				return s
			},
			'INVALID_AUDIO',
			4400,
		],
	]

	for (const [name, open, code, closeCode] of cases) {
		test(`${name} → ${code} and close ${closeCode}, while another toy keeps talking`, async () => {
			const good = await openGood(`good-${code}-${closeCode}-${name.length}`)
			good.send({ type: 'audio_start', format: 'opus', sample_rate: 16000 })
			const bad = await open()
			for (let i = 0; i < 5; i++) good.send({ type: 'audio_chunk', audio_data: packet })
			await expectRefusal(bad, code, closeCode)
			good.send({ type: 'audio_end' })
			const last = await good.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
			expect(last.final).toBe(true)
			const pieces = good.messages.filter((m) => m.type === 'audio_response' && m.final === false)
			expect(pieces.length).toBeGreaterThan(0)
			expect(good.readyState).toBe(WebSocket.OPEN)
			good.close()
		})
	}

	test('a plain HTTP request to the socket path gets a JSON 401, not a silent drop', async () => {
		const res = await fetch(`${gw.url}/api/v1/esp32/private/chat?device_id=x&token=nope&child_id=c&child_name=A&child_age=5`)
		expect(res.status).toBe(401)
		const body = (await res.json()) as { code: string; correlation_id: string }
		expect(body.code).toBe('UNAUTHORIZED')
		expect(body.correlation_id).toMatch(/[0-9a-f-]{36}/)
	})

	test('a replayed v2 token is refused the second time', async () => {
		const token = v2Token('replay-dev')
		const first = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'replay-dev', token }))
		await first.opened
		first.send({ type: 'ping' })
		await first.waitFor((m) => m.type === 'pong')
		const second = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'replay-dev', token }))
		await expectRefusal(second, 'UNAUTHORIZED', 4401)
		first.close()
	})

	test('a second connection of the same device replaces the first with 4409', async () => {
		const first = await openGood('dup-dev')
		const second = await openGood('dup-dev')
		await expectRefusal(first, 'REPLACED', 4409)
		expect(second.readyState).toBe(WebSocket.OPEN)
		second.close()
	})

	test('refusals are logged with a correlation id and no token', () => {
		const lines = gw.logs().split('\n').filter((l) => l.includes('device handshake refused'))
		expect(lines.length).toBeGreaterThan(0)
		for (const l of lines) {
			expect(JSON.parse(l).cid).toMatch(/[0-9a-f-]{36}/)
			expect(l).not.toContain('v2.')
		}
	})
})
