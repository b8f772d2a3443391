import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createTestDatabase, requireEnv, type TestDatabase } from '../support/databases'
import { fleetEnv, operatorToken, startNode, uniqueId } from '../support/fleet'
import type { GatewayProcess } from '../support/gateway-process'
import { seedUrl } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// GATEWAY_PROCESSES=2: two gateway processes share one port (reusePort), so one machine uses
// two cores; connections are spread over both, each is a node of the fleet, and SIGTERM to the
// supervisor drains both.

let db: TestDatabase
let gw: GatewayProcess
let op: string

beforeAll(async () => {
	db = await createTestDatabase()
	const env = fleetEnv({ DATABASE_URL: db.url, REDIS_URL: requireEnv('TEST_REDIS_URL') })
	gw = await startNode({ ...env, GATEWAY_PROCESSES: '2' }, 'multi')
	op = await operatorToken(gw, env)
})

afterAll(async () => {
	await gw?.stop()
	await db?.drop()
})

describe('several processes on one port', () => {
	test('new connections land on both processes, and SIGTERM stops both cleanly', async () => {
		const nodes = new Set<string>()
		for (let i = 0; i < 40 && nodes.size < 2; i++) {
			// a new TCP connection each time, as new toys arrive
			const res = await fetch(`${gw.url}/api/v1/esp32/metrics`, { headers: { authorization: `Bearer ${op}`, connection: 'close' } })
			expect(res.status).toBe(200)
			nodes.add(((await res.json()) as { node: string }).node)
		}
		expect(nodes.size).toBe(2)
		for (const n of nodes) expect(n).toMatch(/^multi-[0-9a-f]+-[01]$/)

		const toy = new TestSocket(seedUrl(gw.wsUrl, { device_id: uniqueId('multi-toy') }))
		await toy.opened
		toy.send({ type: 'text', text: 'Hello' })
		await toy.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)

		gw.proc.kill('SIGTERM')
		expect((await toy.closed).code).toBe(1012)
		expect(await gw.proc.exited).toBe(0)
		expect(gw.logs().match(/"msg":"stopped"/g)?.length).toBe(2)
	})
})
