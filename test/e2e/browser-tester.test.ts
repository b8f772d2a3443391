import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { loadPackets } from '../../bench/lib/packets'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// The xiaozhi ecosystem's browser test page against a real gateway: what it sends differs from the
// firmware (query names with dashes, a bearer in the query, a 0-byte frame when recording stops).

let gw: GatewayProcess
let db: TestDatabase
let speech: Uint8Array[] = []

beforeAll(async () => {
	speech = await loadPackets(`${import.meta.dir}/../../bench/assets/speech-16k.opuspackets`)
	db = await createTestDatabase()
	gw = await startGatewayProcess({ DATABASE_URL: db.url })
})

afterAll(async () => {
	await gw?.stop()
	await db?.drop()
})

type Version = 1 | 2 | 3

function frame(version: Version, payload: Uint8Array): Uint8Array {
	if (version === 1) return payload
	const header = version === 2 ? 16 : 4
	const out = new Uint8Array(header + payload.length)
	const v = new DataView(out.buffer)
	if (version === 2) {
		v.setUint16(0, 2)
		v.setUint32(12, payload.length)
	} else {
		v.setUint16(2, payload.length)
	}
	out.set(payload, header)
	return out
}

async function helloed(s: TestSocket, version: Version): Promise<void> {
	await s.opened
	s.send({ type: 'hello', version, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
	await s.waitFor((m) => m.type === 'hello')
}

describe('the browser test page', () => {
	test('its query names open a device socket: authorization=Bearer <token>, device-id, client-id', async () => {
		const deviceId = 'browser-aliases'
		const q = new URLSearchParams({ 'device-id': deviceId, 'client-id': 'web-tester-1', authorization: `Bearer ${v2Token(deviceId)}` })
		const s = new TestSocket(`${gw.wsUrl}/xiaozhi/v1/?${q}`)
		await helloed(s, 1)
		s.send({ type: 'ping' })
		await s.waitFor((m) => m.type === 'pong')
		expect(s.messages.some((m) => m.type === 'error')).toBe(false)
		s.close()
	})

	for (const version of [1, 2, 3] as const) {
		test(`a 0-byte audio frame over v${version} is ignored and the turn is still answered`, async () => {
			const deviceId = `browser-empty-v${version}`
			const s = new TestSocket(`${gw.wsUrl}/xiaozhi/v1/`, {
				Authorization: `Bearer ${v2Token(deviceId)}`,
				'Protocol-Version': String(version),
				'Device-Id': deviceId,
			})
			await helloed(s, version)
			s.send(new Uint8Array(0)) // nothing at all, before anything is listened for
			s.send({ type: 'listen', state: 'start', mode: 'manual' })
			for (const p of speech) s.send(frame(version, p))
			// the page's end-of-recording marker: an empty frame, or a header saying payload_size 0
			s.send(frame(version, new Uint8Array(0)))
			s.send(new Uint8Array(0))
			s.send({ type: 'listen', state: 'stop' })
			await s.waitFor((m) => m.type === 'tts' && m.state === 'stop', 30_000)
			expect(s.binary.length).toBeGreaterThan(10)
			expect(s.messages.filter((m) => m.type === 'error')).toEqual([])
			expect(s.readyState).toBe(WebSocket.OPEN)
			s.close()
		})
	}
})
