import { describe, expect, test } from 'bun:test'
import pino from 'pino'
import { allowedTools, matchesAllowList } from '../../gateway/src/safety/device-tools-policy'
import { XiaozhiDeviceTools } from '../../gateway/src/ws/device-tools'

// The toy's tools as the model sees them (issue 11, MCP and IoT): listed the way xiaozhi-esp32's
// McpServer answers, bounded, and narrowed to the family's allow-list before any call.

const log = pino({ level: 'silent' })

/** A toy that answers like xiaozhi-esp32's McpServer (main/mcp_server.cc), two tools per page. */
function toy(tools: Array<{ name: string; description: string; inputSchema?: object }>) {
	const sent: Array<Record<string, unknown>> = []
	const calls: Array<{ name: string; arguments: unknown }> = []
	let registry: XiaozhiDeviceTools
	const send = (msg: Record<string, unknown>) => {
		sent.push(msg)
		if (msg.type !== 'mcp') return
		const p = msg.payload as { id: number; method: string; params: Record<string, unknown> }
		let result: unknown
		if (p.method === 'initialize') result = { protocolVersion: '2024-11-05', capabilities: { tools: {} }, serverInfo: { name: 'bread-compact-wifi', version: '2.4.2' } }
		else if (p.method === 'tools/list') {
			const from = p.params.cursor ? tools.findIndex((t) => t.name === p.params.cursor) : 0
			const page = tools.slice(from, from + 2)
			const next = tools[from + 2]
			result = { tools: page.map((t) => ({ inputSchema: { type: 'object', properties: {} }, ...t })), ...(next ? { nextCursor: next.name } : {}) }
		} else if (p.method === 'tools/call') {
			calls.push(p.params as { name: string; arguments: unknown })
			result = { content: [{ type: 'text', text: 'true' }], isError: false }
		}
		queueMicrotask(() => registry.onMcp({ jsonrpc: '2.0', id: p.id, result }))
	}
	registry = new XiaozhiDeviceTools(send, log, 'test')
	return { registry, sent, calls }
}

const until = async (pred: () => boolean) => {
	for (let i = 0; i < 200 && !pred(); i++) await Bun.sleep(5)
}

describe('device tools', () => {
	const firmwareTools = [
		{ name: 'self.get_device_status', description: 'status' },
		{ name: 'self.audio_speaker.set_volume', description: 'volume', inputSchema: { type: 'object', properties: { volume: { type: 'integer', minimum: 0, maximum: 100 } }, required: ['volume'] } },
		{ name: 'self.screen.set_brightness', description: 'brightness' },
		{ name: 'self.camera.take_photo', description: 'takes a photo' },
	]

	test('initialize, then tools/list page by page, as the firmware expects', async () => {
		const { registry, sent } = toy(firmwareTools)
		registry.startMcp()
		await until(() => registry.list().length === 4)
		expect(sent.map((m) => (m.payload as { method: string }).method)).toEqual(['initialize', 'tools/list', 'tools/list'])
		expect(registry.list().map((t) => t.name)).toEqual(firmwareTools.map((t) => t.name))
	})

	test('a tools/call goes to the toy and its text comes back', async () => {
		const { registry, calls } = toy(firmwareTools)
		registry.startMcp()
		await until(() => registry.list().length === 4)
		expect(await registry.call('self.audio_speaker.set_volume', { volume: 30 })).toEqual({ ok: true, content: 'true' })
		expect(calls).toEqual([{ name: 'self.audio_speaker.set_volume', arguments: { volume: 30 } }])
	})

	test('the family allow-list hides and refuses everything else (the camera stays out of reach)', async () => {
		const { registry, calls } = toy(firmwareTools)
		registry.startMcp()
		await until(() => registry.list().length === 4)
		const allowed = allowedTools(registry, ['self.get_device_status', 'self.audio_speaker.*'], log)!
		expect(allowed.list().map((t) => t.name)).toEqual(['self.get_device_status', 'self.audio_speaker.set_volume'])
		expect((await allowed.call('self.camera.take_photo', {})).ok).toBe(false)
		expect(calls).toEqual([])
		expect(allowedTools(registry, [], log)).toBeUndefined()
		expect(matchesAllowList('iot.Speaker.SetVolume', ['iot.Speaker.*'])).toBe(true)
		expect(matchesAllowList('iot.SpeakerX', ['iot.Speaker'])).toBe(false)
	})

	test('a toy that never answers a call does not hold the turn: a barge-in or a hang-up ends the call at once', async () => {
		const silentToy = (sent: unknown[]) => {
			const registry = new XiaozhiDeviceTools((m) => sent.push(m), log, 'test')
			registry.startMcp()
			// the toy answers initialize and lists one tool, then goes silent
			registry.onMcp({ jsonrpc: '2.0', id: 1, result: { protocolVersion: '2024-11-05' } })
			return registry
		}
		const sent: unknown[] = []
		const a = silentToy(sent)
		await Bun.sleep(0)
		a.onMcp({ jsonrpc: '2.0', id: 2, result: { tools: [{ name: 'self.x', description: '', inputSchema: { type: 'object' } }] } })
		await Bun.sleep(0)
		expect(a.list().map((t) => t.name)).toEqual(['self.x'])
		const barge = new AbortController()
		const aborted = a.call('self.x', {}, barge.signal)
		barge.abort()
		expect(await aborted).toEqual({ ok: false, content: 'cancelled' })
		const hungUp = a.call('self.x', {})
		a.close()
		expect(await hungUp).toEqual({ ok: false, content: 'the toy disconnected' })
	})

	test('IoT descriptors (firmware before 1.6.6) become tools; a call sends an iot command', async () => {
		const sent: Array<Record<string, unknown>> = []
		const registry = new XiaozhiDeviceTools((m) => sent.push(m), log, 'test')
		registry.onIot({
			descriptors: [
				{
					name: 'Speaker',
					description: 'The speaker',
					methods: { SetVolume: { description: 'Set the volume', parameters: { volume: { description: '0-100', type: 'number' } } } },
				},
				{ name: 'bad name!', methods: { X: {} } },
			],
		})
		registry.onIot({ states: [{ name: 'Speaker', state: { volume: 60 } }] })
		expect(registry.list().map((t) => t.name)).toEqual(['iot.Speaker.SetVolume', 'iot.get_states'])
		expect(registry.list()[0]!.inputSchema).toEqual({ type: 'object', properties: { volume: { type: 'number', description: '0-100' } }, required: ['volume'] })
		expect(await registry.call('iot.Speaker.SetVolume', { volume: 20 })).toEqual({ ok: true, content: 'done' })
		expect(sent.at(-1)).toEqual({ type: 'iot', commands: [{ name: 'Speaker', method: 'SetVolume', parameters: { volume: 20 } }] })
		expect(JSON.parse((await registry.call('iot.get_states', {})).content)).toEqual([{ name: 'Speaker', state: { volume: 60 } }])
	})

	test('a toy cannot flood the model with tools', () => {
		const registry = new XiaozhiDeviceTools(() => {}, log, 'test')
		const methods = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`M${i}`, { description: 'x' }]))
		registry.onIot({ descriptors: [{ name: 'Thing', methods }] })
		expect(registry.list().length).toBeLessThanOrEqual(64)
	})
})
