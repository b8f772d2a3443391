import { expect } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { type GatewayProcess, startGatewayProcess } from './gateway-process'
import { parsePrometheus, sample } from './prometheus-text'
import { v2Token } from './seed-url'
import { TestSocket } from './ws-client'

// Helpers for tests of several gateway processes acting as one fleet (test/e2e/fleet*.test.ts).

export const FLEET_KEY = 'b'.repeat(64)
export const FLEET_AUTH_SECRET = 'c4'.repeat(32)

export const uniqueId = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`

/** What every node of one test's fleet shares: database, Redis and its key prefix, keys. */
export function fleetEnv(env: { DATABASE_URL: string; REDIS_URL?: string }): Record<string, string> {
	// ? One ENCRYPTION_KEY for the fleet (as production requires): a context sealed on one node opens
	// on another; one AUTH_SECRET: an operator signed in on one node is known on all.
	// ? Every client here is 127.0.0.1, polling: the per-address REST budgets are not under test.
	const budgets = { PARENT_REQUESTS_PER_IP_PER_MINUTE: '100000', REST_REQUESTS_PER_IP_PER_MINUTE: '100000' }
	return { ENCRYPTION_KEY: FLEET_KEY, AUTH_SECRET: FLEET_AUTH_SECRET, REDIS_KEY_PREFIX: `${uniqueId('fleet')}:`, ...budgets, ...env }
}

export function startNode(env: Record<string, string>, name: string): Promise<GatewayProcess> {
	return startGatewayProcess({ NODE_ID: `${name}-${randomBytes(3).toString('hex')}`, ...env })
}

/**
 * An operator account made as an operator would (`bun scripts/operator.ts create`), signed in on
 * `gw`: its access token. `env` is the gateway's (database, keys).
 */
export async function operatorToken(gw: GatewayProcess, env: Record<string, string>): Promise<string> {
	const email = `${uniqueId('ops')}@example.test`
	const made = Bun.spawnSync(['bun', 'scripts/operator.ts', 'create', email], {
		cwd: join(import.meta.dir, '..', '..'),
		env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: gw.dataDir, ...env },
	})
	const password = /password: (\S+)/.exec(made.stdout.toString())?.[1]
	if (!password) throw new Error(`operator.ts failed: ${made.stderr.toString()}`)
	const res = await fetch(`${gw.url}/api/v1/accounts/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ email, password }),
	})
	expect(res.status).toBe(200)
	return ((await res.json()) as { access_token: string }).access_token
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

export async function command(gw: GatewayProcess, token: string, deviceId: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
	const res = await fetch(`${gw.url}/api/v1/operator/devices/${deviceId}/commands`, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	})
	return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** Retries a command until it gets `status` (presence is written just after the socket opens). */
export async function commandUntil(gw: GatewayProcess, token: string, deviceId: string, body: object, status: number, timeoutMs = 10_000) {
	const deadline = Date.now() + timeoutMs
	for (;;) {
		const r = await command(gw, token, deviceId, body)
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
