import { describe, expect, test } from 'bun:test'
import { TOOL_CALL_TIMEOUT_MS, ToolBox, ToolCallAccumulator } from '../../gateway/src/ai/chat-tools'
import type { DeviceTools, ToolResult } from '../../gateway/src/ai/provider'

// The toy's tools as the model sees them, and running the calls it makes: names the API accepts,
// mapped back to the toy's; arguments the model got wrong, and a toy that never answers, give the
// model a failed result instead of an exception or a hung answer.

function toy(answer: (name: string, args: Record<string, unknown>, signal?: AbortSignal) => Promise<ToolResult>): DeviceTools & { called: string[] } {
	const called: string[] = []
	return {
		called,
		list: () => [
			{ name: 'self.audio_speaker.set_volume', description: 'Set the volume', inputSchema: { type: 'object', properties: { volume: { type: 'integer' } } } },
			{ name: 'self_audio.speaker_set_volume', description: 'A look-alike', inputSchema: { type: 'object', properties: {} } },
			{ name: 'iot.Lamp.TurnOn', description: 'Lamp on', inputSchema: { type: 'object', properties: {} } },
		],
		call(name, args, signal) {
			called.push(name)
			return answer(name, args, signal)
		},
	}
}

describe('tool box', () => {
	test('offers each tool under a name the API accepts, and maps calls back to the toy’s name', async () => {
		const t = toy(async () => ({ ok: true, content: 'true' }))
		const box = new ToolBox(t)
		// ? the look-alike maps to the same API name: the first keeps it
		expect(box.functions.map((f) => f.name)).toEqual(['self_audio_speaker_set_volume', 'iot_Lamp_TurnOn'])
		for (const f of box.functions) expect(f.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
		expect(await box.call('self_audio_speaker_set_volume', '{"volume":80}', new AbortController().signal)).toEqual({
			tool: 'self.audio_speaker.set_volume',
			result: { ok: true, content: 'true' },
		})
		expect(t.called).toEqual(['self.audio_speaker.set_volume'])
	})

	test('a tool it was not offered, or arguments that are not a JSON object, never reach the toy', async () => {
		const t = toy(async () => ({ ok: true, content: 'true' }))
		const box = new ToolBox(t)
		const signal = new AbortController().signal
		expect((await box.call('self_camera_take_photo', '{}', signal)).result.ok).toBe(false)
		expect((await box.call('self_audio_speaker_set_volume', '{"volume":', signal)).result).toEqual({ ok: false, content: 'the arguments were not valid JSON' })
		expect((await box.call('self_audio_speaker_set_volume', '[80]', signal)).result.ok).toBe(false)
		expect(t.called).toEqual([])
		expect(new ToolBox(undefined).empty).toBe(true)
	})

	test('a toy that never answers gives the model a failed result after the timeout, not a hung answer', async () => {
		let sawAbort = false
		const t = toy(
			(_n, _a, signal) =>
				new Promise(() => {
					signal?.addEventListener('abort', () => {
						sawAbort = true
					})
				}),
		)
		const started = performance.now()
		const { result } = await new ToolBox(t).call('iot_Lamp_TurnOn', '', new AbortController().signal)
		expect(result).toEqual({ ok: false, content: 'the toy did not answer in time' })
		expect(performance.now() - started).toBeGreaterThanOrEqual(TOOL_CALL_TIMEOUT_MS - 50)
		// and the toy's call was told to give up
		expect(sawAbort).toBe(true)
	}, 15_000)

	test('streamed tool_calls deltas are joined by index', () => {
		const acc = new ToolCallAccumulator()
		acc.push([{ index: 0, id: 'call_1', function: { name: 'self_audio_speaker_set_volume', arguments: '' } }])
		acc.push([{ index: 0, function: { arguments: '{"vol' } }])
		acc.push([{ index: 1, id: 'call_2', function: { name: 'iot_Lamp_TurnOn', arguments: '{}' } }])
		acc.push([{ index: 0, function: { arguments: 'ume":80}' } }])
		acc.push(undefined)
		expect(acc.done).toEqual([
			{ id: 'call_1', name: 'self_audio_speaker_set_volume', arguments: '{"volume":80}' },
			{ id: 'call_2', name: 'iot_Lamp_TurnOn', arguments: '{}' },
		])
	})
})
