import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { DecryptionError, FieldCipher } from '../../gateway/src/store/crypto'
import { createStore, type Store } from '../../gateway/src/store/index'
import { migrate } from '../../gateway/src/store/migrate'
import { DATABASE_KINDS, type OpenedTestDatabase, openTestDatabase } from '../support/databases'

// bunfig's [test] timeout is not applied by Bun 1.4.5; a fresh PGlite alone takes 1-4 s
const SLOW = 30_000

describe.each(DATABASE_KINDS)('store on %s', (kind) => {
	let opened: OpenedTestDatabase
	let store: Store
	const cipher = new FieldCipher(randomBytes(32))
	const uniq = () => randomBytes(6).toString('hex')

	beforeAll(async () => {
		opened = await openTestDatabase(kind)
		await migrate(opened.db.sql)
		store = createStore(opened.db, cipher, randomBytes(32).toString('hex'))
	}, SLOW)
	afterAll(async () => {
		await opened?.cleanup()
	}, SLOW)

	const count = async (table: 'conversations' | 'messages', childId: string) => {
		const sql = opened.db.sql
		const [row] =
			table === 'conversations'
				? await sql<{ n: number }[]>`select count(*)::int as n from conversations where child_id = ${childId}`
				: await sql<{ n: number }[]>`
						select count(*)::int as n from messages m join conversations c on c.id = m.conversation_id
						where c.child_id = ${childId}`
		return row!.n
	}

	async function conversationWith(lines: [('child' | 'assistant'), string][]) {
		const deviceId = `bear-${uniq()}`
		await store.devices.upsertSeen(deviceId)
		const child = await store.children.upsertForDevice(deviceId, { externalId: `kid-${uniq()}`, name: 'Mia', age: 6 })
		const conversationId = await store.conversations.start(deviceId, child.id)
		for (const [role, text] of lines) await store.conversations.append(conversationId, role, text)
		return { deviceId, child, conversationId }
	}

	test('registers a device on first sight and only bumps last_seen_at afterwards', async () => {
		const deviceId = `bear-${uniq()}`
		expect(await store.devices.get(deviceId)).toBeNull()
		const first = await store.devices.upsertSeen(deviceId)
		const second = await store.devices.upsertSeen(deviceId)
		expect(second.createdAt).toEqual(first.createdAt)
		expect(second.lastSeenAt.getTime()).toBeGreaterThanOrEqual(first.lastSeenAt.getTime())
		expect(await store.devices.isRevoked(deviceId)).toBe(false)
		await store.devices.revoke(deviceId)
		expect(await store.devices.isRevoked(deviceId)).toBe(true)
		await store.devices.upsertSeen(deviceId)
		expect(await store.devices.isRevoked(deviceId)).toBe(true)
	})

	test('round-trips a conversation in the order it was spoken', async () => {
		const lines: [('child' | 'assistant'), string][] = [
			['child', 'Why is the sky blue? 🌈'],
			['assistant', 'Sunlight bounces off tiny bits of air, and blue bounces the most!'],
			['child', 'Cool'],
		]
		const { child, conversationId } = await conversationWith(lines)
		const listed = await store.conversations.list(conversationId)
		expect(listed.map((m) => [m.role, m.text])).toEqual(lines)
		expect(listed.every((m) => m.createdAt instanceof Date)).toBe(true)
		const recent = await store.conversations.recent(child.id, 2)
		expect(recent.map((m) => m.text)).toEqual([lines[1]![1], lines[2]![1]])
		await store.conversations.end(conversationId)
	})

	test('stores message text unreadable without the key', async () => {
		const secret = 'My secret password is pancake-42'
		const { conversationId } = await conversationWith([['child', secret]])
		const rows = await opened.db.sql<{ ciphertext: Uint8Array; nonce: Uint8Array; key_id: string; role: string; id: string }[]>`
			select id, role, ciphertext, nonce, key_id from messages where conversation_id = ${conversationId}
		`
		expect(rows).toHaveLength(1)
		const raw = Buffer.from(rows[0]!.ciphertext)
		expect(raw.includes(Buffer.from(secret, 'utf8'))).toBe(false)
		expect(raw.includes(Buffer.from('pancake', 'utf8'))).toBe(false)
		expect(raw.toString('utf8')).not.toContain('pancake')
		// nothing else in the row holds the text either
		const [whole] = await opened.db.sql<{ t: string }[]>`select m::text as t from messages m where id = ${rows[0]!.id}`
		expect(whole!.t).not.toContain('pancake')
		const sealed = { ciphertext: rows[0]!.ciphertext, nonce: rows[0]!.nonce, keyId: rows[0]!.key_id }
		const aad = `messages:${rows[0]!.id}:${conversationId}:${rows[0]!.role}`
		expect(cipher.decrypt(sealed, aad)).toBe(secret)
		const otherKey = randomBytes(32)
		const stranger = new FieldCipher(otherKey)
		expect(() => stranger.decrypt(sealed, aad)).toThrow(DecryptionError)
		// even told the right key id, another key fails authentication
		expect(() => new FieldCipher(otherKey).decrypt({ ...sealed, keyId: stranger.keyId }, aad)).toThrow(DecryptionError)
	})

	test("stores the child's name encrypted and updates it from its own toy's seed", async () => {
		const externalId = `kid-${uniq()}`
		const deviceId = `bear-${uniq()}`
		await store.devices.upsertSeen(deviceId)
		const created = await store.children.upsertForDevice(deviceId, { externalId, name: 'Zoë', age: 5 })
		const again = await store.children.upsertForDevice(deviceId, { externalId, name: 'Zoey', age: 6 })
		expect(again.id).toBe(created.id)
		expect(await store.children.get(created.id)).toMatchObject({ name: 'Zoey', age: 6, externalId, deviceId, familyId: null })
		const [row] = await opened.db.sql<{ t: string }[]>`select c::text as t from children c where id = ${created.id}`
		expect(row!.t).not.toContain('Zoey')
	})

	test('the same child_id names different children for different toys and families', async () => {
		const externalId = `kid-${uniq()}`
		const [toyA, toyB] = [`bear-${uniq()}`, `bear-${uniq()}`]
		await store.devices.upsertSeen(toyA)
		await store.devices.upsertSeen(toyB)
		const a = await store.children.upsertForDevice(toyA, { externalId, name: 'Ana', age: 5 })
		const b = await store.children.upsertForDevice(toyB, { externalId, name: 'Ben', age: 7 })
		expect(b.id).not.toBe(a.id)
		expect(await store.children.get(a.id)).toMatchObject({ name: 'Ana', age: 5 })
		const [f1, f2] = [await store.safety.families.create(), await store.safety.families.create()]
		const c1 = await store.children.createInFamily(f1.id, { name: 'Cleo', age: 8, externalId })
		const c2 = await store.children.createInFamily(f2.id, { name: 'Dan', age: 9, externalId })
		expect(c2.id).not.toBe(c1.id)
		// a family cannot hold the same child_id twice
		const duplicate = await store.children.createInFamily(f1.id, { name: 'Cleo again', age: 8, externalId }).catch((e: unknown) => e)
		expect(duplicate).toMatchObject({ code: '23505' })
	})

	test("a paired toy reaches its family's children by child_id, and otherwise its own child, never another family's", async () => {
		const [f1, f2] = [await store.safety.families.create(), await store.safety.families.create()]
		const paired = await store.children.createInFamily(f1.id, { name: 'Pia', age: 6, externalId: `kid-${uniq()}` })
		const sibling = await store.children.createInFamily(f1.id, { name: 'Sol', age: 4, externalId: `kid-${uniq()}` })
		const stranger = await store.children.createInFamily(f2.id, { name: 'Tess', age: 6, externalId: `kid-${uniq()}` })
		expect((await store.children.forPairedToy(paired.id, sibling.externalId!))?.id).toBe(sibling.id)
		expect((await store.children.forPairedToy(paired.id, paired.externalId!))?.id).toBe(paired.id)
		expect((await store.children.forPairedToy(paired.id, stranger.externalId!))?.id).toBe(paired.id)
		expect((await store.children.forPairedToy(paired.id, 'no-such-kid'))?.id).toBe(paired.id)
		expect(await store.children.forPairedToy(crypto.randomUUID(), sibling.externalId!)).toBeNull()
		expect(await store.children.getInFamily(f2.id, paired.id)).toBeNull()
		expect((await store.children.getInFamily(f1.id, paired.id))?.name).toBe('Pia')
	})

	test('a ciphertext moved to another message no longer decrypts', async () => {
		const { conversationId } = await conversationWith([
			['child', 'first'],
			['assistant', 'second'],
		])
		await opened.db.sql`
			update messages set ciphertext = (select ciphertext from messages where conversation_id = ${conversationId} and role = 'child'),
				nonce = (select nonce from messages where conversation_id = ${conversationId} and role = 'child')
			where conversation_id = ${conversationId} and role = 'assistant'
		`
		const error = await store.conversations.list(conversationId).catch((e: unknown) => e)
		expect(error).toBeInstanceOf(DecryptionError)
	})

	test("deleting a child deletes its conversations and messages", async () => {
		const { child, deviceId } = await conversationWith([
			['child', 'hello'],
			['assistant', 'hi there'],
		])
		await store.devices.pair(deviceId, child.id)
		expect(await count('conversations', child.id)).toBe(1)
		expect(await count('messages', child.id)).toBe(2)
		expect(await store.children.delete(child.id)).toBe(true)
		expect(await store.children.get(child.id)).toBeNull()
		expect(await count('conversations', child.id)).toBe(0)
		expect(await count('messages', child.id)).toBe(0)
		// the toy stays registered, just unpaired
		expect(await store.devices.get(deviceId)).toMatchObject({ deviceId, pairedChildId: null })
	})

	test('rejects ages outside 3-13', async () => {
		const deviceId = `bear-${uniq()}`
		await store.devices.upsertSeen(deviceId)
		for (const age of [2, 14]) {
			const error = await store.children
				.upsertForDevice(deviceId, { externalId: `kid-${uniq()}`, name: 'Tom', age })
				.catch((e: unknown) => e)
			expect(error).toMatchObject({ code: '23514' })
		}
		for (const age of [3, 13]) {
			expect((await store.children.upsertForDevice(deviceId, { externalId: `kid-${uniq()}`, name: 'Tom', age })).age).toBe(age)
		}
	})
})
