import { expect } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { type GatewayProcess, startGatewayProcess } from './gateway-process'
import { parsePrometheus, sample } from './prometheus-text'
import { v2Token } from './seed-url'
import { TestSocket } from './ws-client'

// Helpers for tests of several gateway processes acting as one fleet (test/e2e/fleet*.test.ts).

export const OPERATOR_TOKEN = 'fleet-operator-token-0123456789'

export const FLEET_KEY = 'b'.repeat(64)

export const uniqueId = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`

export function startNode(env: Record<string, string>, name: string): Promise<GatewayProcess> {
	// ? One ENCRYPTION_KEY for the fleet (as production requires): a context sealed on one node opens on another.
	return startGatewayProcess({ OPERATOR_API_TOKEN: OPERATOR_TOKEN, ENCRYPTION_KEY: FLEET_KEY, NODE_ID: `${name}-${randomBytes(3).toString('hex')}`, ...env })
}

/** A xiaozhi v3 toy, greeted (hello answered). */
export async function xiaozhiToy(gw: GatewayProcess, deviceId: string): Promise<TestSocket> {
	const q = new URLSearchParams({ device_id: deviceId, client_id: `client-${deviceId}`, token: v2Token(deviceId), protocol_version: '3' })
	const toy = new TestSocket(`${gw.wsUrl}/xiaozhi/v1/?${q}`)
	await toy.opened
	toy.send({ type: 'hello', version: 3, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
	await toy.waitFor((m) => m.type === 'hello')
	return toy
}

export async function command(gw: GatewayProcess, deviceId: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
	const res = await fetch(`${gw.url}/api/v1/operator/devices/${deviceId}/commands`, {
		method: 'POST',
		headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	})
	return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** Retries a command until it gets `status` (presence is written just after the socket opens). */
export async function commandUntil(gw: GatewayProcess, deviceId: string, body: object, status: number, timeoutMs = 10_000) {
	const deadline = Date.now() + timeoutMs
	for (;;) {
		const r = await command(gw, deviceId, body)
		if (r.status === status || Date.now() > deadline) return r
		await Bun.sleep(100)
	}
}

export async function metric(gw: GatewayProcess, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
	const text = await (await fetch(`${gw.url}/metrics`)).text()
	return sample(parsePrometheus(text), name, labels)
}

export async function waitForMetric(gw: GatewayProcess, name: string, value: number, labels: Record<string, string> = {}, timeoutMs = 20_000) {
	const deadline = Date.now() + timeoutMs
	while ((await metric(gw, name, labels)) !== value && Date.now() < deadline) await Bun.sleep(200)
	expect(await metric(gw, name, labels)).toBe(value)
}

export async function waitForLog(gw: GatewayProcess, text: string, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs
	while (!gw.logs().includes(text) && Date.now() < deadline) await Bun.sleep(100)
	expect(gw.logs()).toContain(text)
}
