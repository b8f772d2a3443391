import { afterAll, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { createLogger } from '../../gateway/src/obs/logger'
import { FleetRedis } from '../../gateway/src/store/fleet-redis'
import { connectRedis } from '../../gateway/src/store/redis'
import { DeviceRegistry } from '../../gateway/src/ws/device-registry'
import { FleetNode } from '../../gateway/src/ws/fleet-node'
import { requireEnv } from '../support/databases'

// "Push config" across the fleet: what a node keeps in memory about a child (the safety layer's
// context, a parked conversation) is forgotten on every node when a parent changes the family's
// rules or deletes the child, not only on the node that served the parent's request. Two fleet
// nodes on the real test Redis (their own key prefix).

const prefix = `notices-${randomBytes(4).toString('hex')}:`
const log = createLogger('silent')
const made: FleetRedis[] = []

function node(id: string, forgotten: Array<[string, readonly string[]]>): FleetNode {
	const url = requireEnv('TEST_REDIS_URL')
	let fleet: FleetNode | undefined
	const redis = new FleetRedis({
		nodeId: id,
		client: connectRedis(url, { keyPrefix: prefix }),
		subscriber: connectRedis(url, { keyPrefix: prefix }),
		channelPrefix: prefix,
		log,
		presenceTtlMs: 5000,
		onMessage: (m) => fleet?.receive(m),
	})
	made.push(redis)
	fleet = new FleetNode({ nodeId: id, registry: new DeviceRegistry(), redis, log, presenceTtlMs: 5000 })
	fleet.onForgetChild((childId, deviceIds) => forgotten.push([childId, deviceIds]))
	return fleet
}

afterAll(async () => {
	await Promise.all(made.map((r) => r.close()))
})

async function until(check: () => boolean, ms = 5000): Promise<void> {
	const deadline = Date.now() + ms
	while (!check() && Date.now() < deadline) await Bun.sleep(20)
}

test('a child forgotten on one node is forgotten on every node, once each', async () => {
	const onA: Array<[string, readonly string[]]> = []
	const onB: Array<[string, readonly string[]]> = []
	const a = node('node-a', onA)
	node('node-b', onB)
	await until(() => made.every((r) => r.healthy))
	expect(made.every((r) => r.healthy)).toBe(true)
	await Bun.sleep(100) // both subscribed

	a.forgetChild('child-1', ['toy-1', 'toy-2'])
	expect(onA).toEqual([['child-1', ['toy-1', 'toy-2']]]) // at once, here
	await until(() => onB.length > 0)
	expect(onB).toEqual([['child-1', ['toy-1', 'toy-2']]])

	// rules changed: the safety context goes, parked conversations stay
	a.forgetChild('child-2', [])
	await until(() => onB.length > 1)
	expect(onB[1]).toEqual(['child-2', []])
	await Bun.sleep(200)
	expect(onA.length).toBe(2) // its own notice is not acted on twice
})

test('a malformed notice is ignored', async () => {
	const onC: Array<[string, readonly string[]]> = []
	const c = node('node-c', onC)
	c.receive(JSON.stringify({ type: 'forget-child', childId: '', deviceIds: [] }))
	c.receive('{"type":"forget-child","childId":"x","deviceIds":"all"}')
	c.receive('not json')
	expect(onC).toEqual([])
})
