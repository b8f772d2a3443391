import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { loadPackets } from '../../bench/lib/packets'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type FakeOpenAI, type ScriptedToolCall, startFakeOpenAI } from '../support/fake-openai'
import { type FakeRealtime, startFakeRealtime } from '../support/fake-openai-realtime'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// Issue 11: a xiaozhi toy that says features.mcp lists its tools; the child asks "make it louder",
// the model calls the toy's volume tool through the gateway (MCP tools/call), the toy's result goes
// back to the model, and the answer is spoken. Tools off the allow-list are never offered to the
// model, so never called.

const TRANSCRIPT = 'Teddy, can you make it louder please?'
const REPLY = 'Okay, I made it louder for you!'

// What xiaozhi-esp32 (v1.6.6+) answers to tools/list: its MCP tools with JSON Schema inputs.
const TOY_TOOLS = [
	{ name: 'self.get_device_status', description: 'Current status of the device (volume, screen, battery).', inputSchema: { type: 'object', properties: {} } },
	{
		name: 'self.audio_speaker.set_volume',
		description: 'Set the volume of the audio speaker.',
		inputSchema: { type: 'object', properties: { volume: { type: 'integer', minimum: 0, maximum: 100 } }, required: ['volume'] },
	},
	{ name: 'self.camera.take_photo', description: 'Take a photo and describe it.', inputSchema: { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] } },
]

// The same script for both APIs: asked to make it louder, the model would use the camera too if
// it were offered.
const SCRIPT: ScriptedToolCall[] = [
	{ when: 'louder', tool: 'self_audio_speaker_set_volume', args: { volume: 80 }, reply: (result) => (result === 'true' ? REPLY : 'Hmm, that did not work.') },
	{ when: 'louder', tool: 'self_camera_take_photo', args: { question: 'what do you see' } },
]

let fake: FakeOpenAI
let rt: FakeRealtime
let gw: GatewayProcess
let gwRealtime: GatewayProcess
let db: TestDatabase
let dbRealtime: TestDatabase
let speech: Uint8Array[] = []

beforeAll(async () => {
	speech = await loadPackets(`${import.meta.dir}/../../bench/assets/speech-16k.opuspackets`)
	fake = await startFakeOpenAI({ transcript: TRANSCRIPT, speech: 'tone', toolCalls: SCRIPT })
	rt = await startFakeRealtime({ transcript: TRANSCRIPT, toolCalls: SCRIPT })
	db = await createTestDatabase()
	dbRealtime = await createTestDatabase()
	gw = await startGatewayProcess({ DATABASE_URL: db.url, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test' })
	// The Realtime fake serves only the socket; moderation would get 404s.
	gwRealtime = await startGatewayProcess({ DATABASE_URL: dbRealtime.url, OPENAI_BASE_URL: rt.url, OPENAI_API_KEY: 'test', OPENAI_MODE: 'realtime', MODERATION: 'local' })
})

afterAll(async () => {
	await gw?.stop()
	await gwRealtime?.stop()
	await fake?.stop()
	await rt?.stop()
	await db?.drop()
	await dbRealtime?.drop()
})

type Rpc = { jsonrpc: string; id: number; method: string; params: Record<string, unknown> }

/** The toy's side of MCP: answers initialize and tools/list, records tools/call and answers it. */
function mcpToy(s: TestSocket): Rpc[] {
	const calls: Rpc[] = []
	const answered = new Set<number>()
	const tick = setInterval(() => {
		for (const m of s.messages) {
			if (m.type !== 'mcp') continue
			const rpc = m.payload as Rpc
			if (answered.has(rpc.id)) continue
			answered.add(rpc.id)
			const reply = (result: unknown) => s.send({ session_id: '', type: 'mcp', payload: { jsonrpc: '2.0', id: rpc.id, result } })
			if (rpc.method === 'initialize') reply({ protocolVersion: '2024-11-05', capabilities: { tools: {} }, serverInfo: { name: 'xiaozhi-test', version: '1.6.6' } })
			else if (rpc.method === 'tools/list') reply({ tools: TOY_TOOLS })
			else if (rpc.method === 'tools/call') {
				calls.push(rpc)
				reply({ content: [{ type: 'text', text: 'true' }], isError: false })
			}
		}
	}, 5)
	void s.closed.then(() => clearInterval(tick))
	return calls
}

async function connect(gateway: GatewayProcess, deviceId: string): Promise<TestSocket> {
	const s = new TestSocket(`${gateway.wsUrl}/xiaozhi/v1/`, { Authorization: `Bearer ${v2Token(deviceId)}`, 'Protocol-Version': '1', 'Device-Id': deviceId, 'Client-Id': 'c1' })
	await s.opened
	return s
}

describe('the model calls the toy’s tools (MCP)', () => {
	/** A toy with features.mcp; the child asks to make it louder; returns once the answer has played. */
	async function louder(gateway: GatewayProcess, deviceId: string) {
		const s = await connect(gateway, deviceId)
		const calls = mcpToy(s)
		s.send({ type: 'hello', version: 1, features: { mcp: true }, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
		await s.waitFor((m) => m.type === 'hello')
		await s.waitFor((m) => m.type === 'mcp' && (m.payload as Rpc).method === 'tools/list')
		// the toy's list has arrived before the child speaks
		await Bun.sleep(200)

		s.send({ type: 'listen', state: 'start', mode: 'manual' })
		for (const p of speech) s.send(p)
		s.send({ type: 'listen', state: 'stop' })
		await s.waitFor((m) => m.type === 'tts' && m.state === 'stop', 40_000)

		// the toy was asked to set its volume, with the model's arguments, and nothing else
		expect(calls.map((c) => c.params)).toEqual([{ name: 'self.audio_speaker.set_volume', arguments: { volume: 80 } }])
		// and the answer after the tool's result is what the child hears, with its audio
		const spoken = s.messages.filter((m) => m.type === 'tts' && m.state === 'sentence_start').map((m) => m.text)
		expect(spoken).toContain(REPLY)
		expect(s.binary.length).toBeGreaterThan(0)
		expect(s.messages.filter((m) => m.type === 'error')).toEqual([])
		return s
	}

	test('pipeline: "make it louder" calls set_volume on the toy, its result reaches the model, the answer is spoken', async () => {
		const s = await louder(gw, 'xz-mcp-pipeline')

		const chats = fake.requests.filter((r) => r.path === '/v1/chat/completions' && (r.body as { stream?: boolean }).stream)
		const offered = (chats[0]!.body as { tools?: Array<{ function: { name: string } }> }).tools?.map((t) => t.function.name)
		// only what the allow-list lets through: never the camera
		expect(offered?.sort()).toEqual(['self_audio_speaker_set_volume', 'self_get_device_status'])
		const followUp = chats.find((r) => (r.body as { messages: Array<{ role: string }> }).messages.some((m) => m.role === 'tool'))!
		const messages = (followUp.body as { messages: Array<Record<string, unknown>> }).messages
		const call = messages.find((m) => m.role === 'assistant' && m.tool_calls) as { tool_calls: Array<{ id: string; function: { name: string; arguments: string } }> }
		expect(call.tool_calls[0]!.function).toEqual({ name: 'self_audio_speaker_set_volume', arguments: '{"volume":80}' })
		expect(messages.at(-1)).toEqual({ role: 'tool', tool_call_id: call.tool_calls[0]!.id, content: 'true' })
		s.close()
	}, 60_000)

	test('Realtime: the session offers only allowed tools; the function call reaches the toy and its output the model', async () => {
		const s = await louder(gwRealtime, 'xz-mcp-realtime')
		const conn = rt.connections.at(-1)!
		const offered = conn.received.filter((e) => e.type === 'session.update' && (e.session as { tools?: unknown }).tools)
		const names = (offered.at(-1)!.session as { tools: Array<{ name: string }> }).tools.map((t) => t.name)
		expect(names.sort()).toEqual(['self_audio_speaker_set_volume', 'self_get_device_status'])
		const output = conn.received.find((e) => e.type === 'conversation.item.create' && (e.item as { type: string }).type === 'function_call_output')
		expect(output?.item).toMatchObject({ type: 'function_call_output', output: 'true' })
		const call = conn.items.find((i) => i.role === 'function_call')!
		expect((output!.item as { call_id: string }).call_id).toBe(call.callId!)
		// after the output the model was asked to go on, and its answer is the one spoken
		expect(conn.received.filter((e) => e.type === 'response.create').length).toBeGreaterThanOrEqual(2)
		s.close()
	}, 60_000)
})
