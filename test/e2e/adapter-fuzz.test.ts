import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { seedUrl, v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'
import { prng } from '../support/prng'

// Random frames and random JSON at both adapters for a bounded time: the gateway never crashes,
// never answers garbage with an internal error, never leaks a session, and keeps serving a good
// toy alongside. Seeded so a failure reproduces.

let gw: GatewayProcess
beforeAll(async () => {
	gw = await startGatewayProcess({ CONNECTIONS_PER_IP_PER_MINUTE: '100000', HELLO_TIMEOUT_MS: '2000' })
})
afterAll(async () => {
	await gw?.stop()
})


const TYPES = ['hello', 'listen', 'abort', 'mcp', 'goodbye', 'ping', 'audio_start', 'audio_chunk', 'audio_end', 'text', 'x']
const VALUES: unknown[] = [null, true, 0, -1, 1e308, 'start', 'stop', 'detect', 'auto', 'manual', 'realtime', 'opus', 'pcm16', 16000, 7, '', 'AAAA', [], {}, { format: 'opus', sample_rate: 16000 }]
const FIELDS = ['state', 'mode', 'text', 'format', 'sample_rate', 'audio_data', 'audio_params', 'version', 'payload', 'response_format', 'is_final', 'reason']

function randomFrame(r: () => number): string | Uint8Array {
	const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]
	const kind = r()
	if (kind < 0.35) {
		const bytes = new Uint8Array(Math.floor(r() * 300))
		for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r() * 256)
		// Sometimes a plausible v3 header so the payload reaches the Opus decoder.
		if (bytes.length > 4 && r() < 0.5) {
			bytes[0] = r() < 0.8 ? 0 : 1
			new DataView(bytes.buffer).setUint16(2, bytes.length - 4)
		}
		return bytes
	}
	if (kind < 0.45) return String.fromCharCode(...Array.from({ length: Math.floor(r() * 60) }, () => Math.floor(r() * 0x2ff)))
	const msg: Record<string, unknown> = { type: pick(TYPES) }
	const n = Math.floor(r() * 4)
	for (let i = 0; i < n; i++) msg[pick(FIELDS)] = pick(VALUES)
	return JSON.stringify(msg)
}

test('random frames and JSON never crash the gateway, never leak a session, and a good toy is served', async () => {
	const r = prng(20261123)
	const good = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'good-toy' }))
	await good.opened
	const codes: number[] = []
	const deadline = Date.now() + 12_000
	let connections = 0
	let turns = 0
	// ? At least 4 batches however slow the machine (an answer's stop waits for its playback).
	while (Date.now() < deadline || connections < 32) {
		const batch = Array.from({ length: 8 }, async (_, i) => {
			const id = `fuzz-${connections}-${i}`
			const xz = r() < 0.6
			const version = 1 + Math.floor(r() * 3)
			const s = xz
				? new TestSocket(`${gw.wsUrl}/xiaozhi/v1/?device_id=${id}&token=${v2Token(id)}&protocol_version=${version}`)
				: new TestSocket(seedUrl(gw.wsUrl, { device_id: id }))
			await s.opened.catch(() => {})
			if (xz && r() < 0.7) s.send({ type: 'hello', version, transport: 'websocket' })
			for (let k = 0; k < 40 && s.readyState === WebSocket.OPEN; k++) s.send(randomFrame(r))
			if (s.readyState === WebSocket.OPEN) s.close()
			codes.push((await s.closed).code)
		})
		connections += 8
		await Promise.all(batch)
		good.send({ type: 'text', text: 'tell me about stars' })
		await good.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
		good.messages.length = 0
		turns++
	}
	expect(connections).toBeGreaterThan(20)
	expect(turns).toBeGreaterThan(1)
	// Garbage is a protocol error (44xx) or a normal close, never an internal error.
	expect(codes.filter((c) => c === 1011)).toEqual([])
	expect(gw.logs()).not.toContain('internal error on device socket')
	expect(good.readyState).toBe(WebSocket.OPEN)
	// Every fuzz session is gone: only the good toy is still connected.
	await Bun.sleep(200)
	const health = (await (await fetch(`${gw.url}/health`)).json()) as { connections: number }
	expect(health.connections).toBe(1)
	good.close()
})
