import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { loadPackets } from '../../bench/lib/packets'
import { type FakeOpenAI, type FakeRequest, startFakeOpenAI } from '../support/fake-openai'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { seedUrl, v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// Limits of PROTOCOL.md §5 and the session's lifecycle, against real gateway processes
// (embedded default, each with its own limits).

const running: GatewayProcess[] = []
async function gateway(env: Record<string, string>): Promise<GatewayProcess> {
	const gw = await startGatewayProcess(env)
	running.push(gw)
	return gw
}
afterEach(async () => {
	await Promise.all(running.splice(0).map((g) => g.stop()))
})

async function xiaozhi(gw: GatewayProcess, deviceId: string): Promise<TestSocket> {
	const s = new TestSocket(`${gw.wsUrl}/xiaozhi/v1/?device_id=${deviceId}&token=${v2Token(deviceId)}&protocol_version=3`)
	await s.opened
	s.send({ type: 'hello', version: 3, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
	await s.waitFor((m) => m.type === 'hello')
	return s
}

function v3(p: Uint8Array): Uint8Array {
	const out = new Uint8Array(4 + p.length)
	new DataView(out.buffer).setUint16(2, p.length)
	out.set(p, 4)
	return out
}

/** The model's answers: streamed chat requests (the answer-policy checks are chat requests too). */
const answers = (requests: FakeRequest[]) => requests.filter((r) => r.path.endsWith('/chat/completions') && (r.body as { stream?: boolean }).stream === true)

describe('limits', () => {
	test('a toy that sends nothing is closed with IDLE_TIMEOUT and 4408', async () => {
		const gw = await gateway({ IDLE_TIMEOUT_MS: '1500' })
		const s = await xiaozhi(gw, 'idle-toy')
		expect((await s.closed).code).toBe(4408)
		expect(s.messages.find((m) => m.type === 'error')?.code).toBe('IDLE_TIMEOUT')
	})

	test('a toy that keeps pinging is not idle', async () => {
		const gw = await gateway({ IDLE_TIMEOUT_MS: '1500' })
		const s = await xiaozhi(gw, 'busy-toy')
		for (let i = 0; i < 8; i++) {
			s.send({ type: 'ping' })
			await Bun.sleep(400)
		}
		expect(s.readyState).toBe(WebSocket.OPEN)
		s.close()
	})

	test('too many new connections from one address get RATE_LIMITED and 4429', async () => {
		const gw = await gateway({ CONNECTIONS_PER_IP_PER_MINUTE: '3' })
		const ok = [await xiaozhi(gw, 'rl-1'), await xiaozhi(gw, 'rl-2'), await xiaozhi(gw, 'rl-3')]
		const refused = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'rl-4' }))
		expect((await refused.closed).code).toBe(4429)
		expect(refused.messages.find((m) => m.type === 'error')?.code).toBe('RATE_LIMITED')
		for (const s of ok) expect(s.readyState).toBe(WebSocket.OPEN)
	})

	test('too many turns from one toy get RATE_LIMITED and 4429', async () => {
		const gw = await gateway({ TURNS_PER_DEVICE_PER_MINUTE: '2' })
		const s = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'chatty' }))
		await s.opened
		for (let i = 0; i < 2; i++) {
			s.send({ type: 'text', text: `hello ${i}` })
			await s.waitFor((m) => m.type === 'audio_response' && m.final === true && s.messages.filter((x) => x.final === true).length === i + 1, 30_000)
		}
		s.send({ type: 'text', text: 'hello again' })
		expect((await s.closed).code).toBe(4429)
		expect(s.messages.find((m) => m.type === 'error')?.code).toBe('RATE_LIMITED')
	})

	test('a turn longer than the cap is ended as if the child stopped', async () => {
		const gw = await gateway({ TURN_MAX_MS: '1000' })
		const speech = await loadPackets(`${import.meta.dir}/../../bench/assets/speech-16k.opuspackets`)
		const s = await xiaozhi(gw, 'long-talker')
		s.send({ type: 'listen', state: 'start', mode: 'manual' })
		// 3.9 s of speech and no listen stop: the gateway must answer after the first second.
		for (const p of speech) s.send(v3(p))
		await s.waitFor((m) => m.type === 'tts' && m.state === 'stop', 30_000)
		expect(s.binary.length).toBeGreaterThan(5)
		s.close()
	})

	test('a toy that stops reading is cut off with a logged reason while another toy is served', async () => {
		const gw = await gateway({ SEND_BUFFER_BYTES: '8192' })
		const port = new URL(gw.url).port
		const token = v2Token('stalled-toy')
		const stalled = Bun.spawn(
			['python3', `${import.meta.dir}/../support/stalled-client.py`, '127.0.0.1', port, `/xiaozhi/v1/?device_id=stalled-toy&token=${token}&protocol_version=3`, '20'],
			{ stdout: 'pipe', stderr: 'pipe' },
		)
		const good = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'reading-toy' }))
		await good.opened
		for (let i = 0; i < 40 && !gw.logs().includes('not reading'); i++) {
			good.send({ type: 'ping' })
			await good.waitFor((m) => m.type === 'pong')
			good.messages.length = 0
			await Bun.sleep(250)
		}
		expect(gw.logs()).toContain('closing a device that is not reading')
		good.send({ type: 'text', text: 'are you still there?' })
		await good.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
		expect(good.readyState).toBe(WebSocket.OPEN)
		stalled.kill()
		await stalled.exited
		good.close()
	})
})

describe('resume', () => {
	let fake: FakeOpenAI
	afterAll(async () => {
		await fake?.stop()
	})

	test('a toy that reconnects within 30 s keeps its conversation context', async () => {
		fake = await startFakeOpenAI()
		const gw = await gateway({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test' })
		const first = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'resumer' }))
		await first.opened
		first.send({ type: 'text', text: 'my favourite colour is purple' })
		await first.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
		first.close()
		await first.closed
		const second = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'resumer' }))
		await second.opened
		second.send({ type: 'text', text: 'what is my favourite colour?' })
		await second.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
		const chats = answers(fake.requests)
		const last = JSON.stringify(chats.at(-1)?.body)
		expect(last).toContain('my favourite colour is purple')
		second.close()
	})

	test('another toy does not get that context', async () => {
		fake ??= await startFakeOpenAI()
		const gw = await gateway({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test' })
		const a = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'toy-a' }))
		await a.opened
		a.send({ type: 'text', text: 'the secret word is pancake' })
		await a.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
		a.close()
		const b = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'toy-b' }))
		await b.opened
		b.send({ type: 'text', text: 'what is the secret word?' })
		await b.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
		const chats = answers(fake.requests)
		expect(JSON.stringify(chats.at(-1)?.body)).not.toContain('pancake')
		b.close()
	})
})
