import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { FieldCipher } from '../../gateway/src/store/crypto'
import { createStore, type Store } from '../../gateway/src/store/index'
import { migrate } from '../../gateway/src/store/migrate'
import { DATABASE_KINDS, type OpenedTestDatabase, openTestDatabase } from '../support/databases'

// The store side of who a toy is (sql/0004): pairing claims stay inside the claimant's family,
// codes are found by a keyed hash only, and a toy's Client-Id binding is first-come, comparable,
// resettable, with a provisioned HMAC key sealed at rest.

const SLOW = 30_000

describe.each(DATABASE_KINDS)('device identity store on %s', (kind) => {
	let opened: OpenedTestDatabase
	let store: Store
	const secret = randomBytes(32).toString('hex')
	const cipher = new FieldCipher(randomBytes(32))
	const uniq = () => randomBytes(6).toString('hex')

	beforeAll(async () => {
		opened = await openTestDatabase(kind)
		await migrate(opened.db.sql)
		store = createStore(opened.db, cipher, secret)
	}, SLOW)
	afterAll(async () => {
		await opened?.cleanup()
	}, SLOW)

	async function toyWithCode() {
		const deviceId = `toy-${uniq()}`
		await store.devices.upsertSeen(deviceId)
		return { deviceId, issued: await store.pairing.issue(deviceId, 600, false) }
	}

	test("a claim binds only a child of the claimant's own family", async () => {
		const [mine, theirs] = [await store.safety.families.create(), await store.safety.families.create()]
		const child = await store.children.createInFamily(mine.id, { name: 'Uma', age: 7 })
		const { deviceId, issued } = await toyWithCode()
		// the right code, but a child of another family than the claimant's
		expect(await store.pairing.claimByCode(issued.code, { familyId: theirs.id, childId: child.id })).toEqual({ kind: 'no_child' })
		expect(await store.pairing.claimByDevice(deviceId, issued.code, { familyId: theirs.id, childId: child.id })).toEqual({ kind: 'no_child' })
		expect((await store.devices.get(deviceId))?.pairedChildId).toBeNull()
		// a toy's own seed child belongs to no family: no parent can pair a toy with it
		const seedChild = await store.children.upsertForDevice(deviceId, { externalId: 'kid-1', name: 'Seed', age: 6 })
		expect(await store.pairing.claimByCode(issued.code, { familyId: mine.id, childId: seedChild.id })).toEqual({ kind: 'no_child' })
		expect(await store.pairing.claimByCode(issued.code, { familyId: mine.id, childId: child.id })).toEqual({ kind: 'paired', deviceId })
		expect((await store.devices.get(deviceId))?.pairedChildId).toBe(child.id)
	})

	test('a toy that asks again hears the same code; the row holds only a keyed hash and a seed', async () => {
		const { deviceId, issued } = await toyWithCode()
		const again = await store.pairing.issue(deviceId, 600, true)
		expect(again.code).toBe(issued.code)
		expect(again.challenge).toBe(issued.challenge)
		const [row] = await opened.db.sql<{ t: string }[]>`select p::text as t from pairing_codes p where device_id = ${deviceId}`
		const hex = Buffer.from(issued.code).toString('hex')
		expect(row!.t.replace(/"[^"]*\d{2}:\d{2}:\d{2}[^"]*"/g, '')).not.toContain(issued.code)
		expect(row!.t).not.toContain(hex)
		// another gateway key finds nothing: the hash is keyed, not a plain hash of six digits
		const stranger = createStore(opened.db, cipher, randomBytes(32).toString('hex'))
		const family = await store.safety.families.create()
		const child = await store.children.createInFamily(family.id, { name: 'Vic', age: 5 })
		expect(await stranger.pairing.claimByCode(issued.code, { familyId: family.id, childId: child.id })).toEqual({ kind: 'unknown_code' })
		expect((await stranger.pairing.live(deviceId))?.code).not.toBe(issued.code)
	})

	test('an acknowledged code stays acknowledged while live; a new code is not', async () => {
		const { deviceId } = await toyWithCode()
		expect((await store.pairing.live(deviceId))?.acknowledgedAt).toBeNull()
		expect(await store.pairing.acknowledge(deviceId)).toBe(true)
		expect((await store.pairing.issue(deviceId, 600, true)).acknowledgedAt).toBeInstanceOf(Date)
		expect((await store.pairing.issue(deviceId, 600, false)).acknowledgedAt).toBeNull()
		expect(await store.pairing.acknowledge(`toy-${uniq()}`)).toBe(false)
	})

	test('rotating the token generation moves it on for a known toy and refuses a revoked one', async () => {
		const { deviceId } = await toyWithCode()
		const before = await store.pairing.tokenGeneration(deviceId)
		expect(await store.pairing.rotateTokenGeneration(deviceId)).toBe(before! + 1)
		expect(await store.pairing.tokenGeneration(deviceId)).toBe(before! + 1)
		await store.devices.revoke(deviceId)
		expect(await store.pairing.rotateTokenGeneration(deviceId)).toBeNull()
		expect(await store.pairing.rotateTokenGeneration(`toy-${uniq()}`)).toBeNull()
	})

	test('the first Client-Id binds; others mismatch until an unbind; the hash is keyed', async () => {
		const deviceId = `toy-${uniq()}`
		await store.devices.upsertSeen(deviceId)
		const [first, other] = [crypto.randomUUID(), crypto.randomUUID()]
		expect(await store.bindings.check(deviceId, first)).toBe('unbound')
		const [a, b] = await Promise.all([store.bindings.bindFirst(deviceId, first), store.bindings.bindFirst(deviceId, other)])
		// two check-ins racing: exactly one binds, the other is told it does not match
		expect([a, b].sort()).toEqual(['match', 'mismatch'])
		const winner = a === 'match' ? first : other
		const loser = winner === first ? other : first
		expect(await store.bindings.check(deviceId, winner)).toBe('match')
		expect(await store.bindings.check(deviceId, loser)).toBe('mismatch')
		expect(await store.bindings.check(deviceId, null)).toBe('mismatch')
		const [row] = await opened.db.sql<{ t: string }[]>`select b::text as t from device_bindings b where device_id = ${deviceId}`
		expect(row!.t).not.toContain(winner)
		expect(await createStore(opened.db, cipher, randomBytes(32).toString('hex')).bindings.check(deviceId, winner)).toBe('mismatch')
		await store.bindings.unbind(deviceId)
		expect(await store.bindings.check(deviceId, winner)).toBe('unbound')
		expect(await store.bindings.bindFirst(deviceId, loser)).toBe('match')
		await store.bindings.rebind(deviceId, winner)
		expect(await store.bindings.check(deviceId, winner)).toBe('match')
	})

	test('a provisioned HMAC key is sealed at rest and read back', async () => {
		const deviceId = `toy-${uniq()}`
		await store.devices.register(deviceId)
		expect(await store.bindings.provisionedKey(deviceId)).toBeNull()
		const key = randomBytes(32)
		await store.bindings.provisionKey(deviceId, key)
		expect(await store.bindings.provisionedKey(deviceId)).toEqual(key)
		expect(await store.bindings.get(deviceId)).toMatchObject({ bound: false, hasProvisionedKey: true, deviceKeyProvenAt: null })
		const [row] = await opened.db.sql<{ t: string }[]>`select b::text as t from device_bindings b where device_id = ${deviceId}`
		expect(row!.t).not.toContain(key.toString('hex'))
		await store.bindings.markDeviceKeyProven(deviceId)
		expect((await store.bindings.get(deviceId))?.deviceKeyProvenAt).toBeInstanceOf(Date)
	})
})
