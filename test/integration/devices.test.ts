import { afterAll, beforeAll, expect, test } from 'bun:test'
import { addChild, call, expectError, json, type ParentApp, type SignedInParent, signUp, startParentApp } from '../support/parent-app'

// A family's toys over REST, with two families: each sees and unpairs only its own.

let pa: ParentApp
let a: SignedInParent
let b: SignedInParent

beforeAll(async () => {
	pa = await startParentApp()
	a = await signUp(pa)
	b = await signUp(pa)
})
afterAll(async () => {
	await pa?.close()
})

async function pair(deviceId: string, childId: string): Promise<void> {
	await pa.sql`insert into devices (device_id, paired_child_id) values (${deviceId}, ${childId})`
}

test('each family lists only its own toys, with their status', async () => {
	const ca = await addChild(pa, a)
	const cb = await addChild(pa, b)
	await pair('dev-a-1', ca)
	await pair('dev-b-1', cb)
	pa.control.online.add('dev-a-1')
	const list = await json<{ devices: Array<Record<string, unknown>> }>(await call(pa, 'GET', '/api/v1/devices', { token: a.token }))
	expect(list.devices).toHaveLength(1)
	expect(list.devices[0]).toMatchObject({ device_id: 'dev-a-1', child_id: ca, online: true, firmware_version: null })
	expect(await json(await call(pa, 'GET', '/api/v1/devices/dev-b-1', { token: b.token }))).toMatchObject({ device_id: 'dev-b-1', online: false })
})

test('another family’s toy is 404 on every route, like an unknown one', async () => {
	for (const id of ['dev-b-1', 'no-such-toy']) {
		await expectError(await call(pa, 'GET', `/api/v1/devices/${id}`, { token: a.token }), 404, 'NOT_FOUND')
		await expectError(await call(pa, 'DELETE', `/api/v1/devices/${id}`, { token: a.token }), 404, 'NOT_FOUND')
	}
	const [row] = await pa.sql<{ paired_child_id: string | null }[]>`select paired_child_id from devices where device_id = 'dev-b-1'`
	expect(row!.paired_child_id).not.toBeNull()
})

test('unpairing unbinds the toy, revokes its tokens and closes it with 4403', async () => {
	const c = await addChild(pa, a)
	await pair('dev-a-2', c)
	pa.control.online.add('dev-a-2')
	const [before] = await pa.sql<{ token_generation: number }[]>`select token_generation from devices where device_id = 'dev-a-2'`
	expect(await json(await call(pa, 'DELETE', '/api/v1/devices/dev-a-2', { token: a.token }))).toEqual({ device_id: 'dev-a-2', unpaired: true, disconnected: true })
	const [after] = await pa.sql<{ token_generation: number; paired_child_id: string | null }[]>`
		select token_generation, paired_child_id from devices where device_id = 'dev-a-2'
	`
	expect(after!.paired_child_id).toBeNull()
	expect(after!.token_generation).toBe(before!.token_generation + 1)
	expect(pa.control.closed.at(-1)).toMatchObject({ deviceId: 'dev-a-2', code: 'FORBIDDEN' })
	await expectError(await call(pa, 'GET', '/api/v1/devices/dev-a-2', { token: a.token }), 404, 'NOT_FOUND')
})
