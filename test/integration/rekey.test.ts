import { afterAll, beforeAll, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { auditPseudonymizer, deriveAuthKeys, emailIndexer } from '../../gateway/src/auth/auth-secret'
import { ConversationRepository } from '../../gateway/src/store'
import { AccountRepository } from '../../gateway/src/store/accounts'
import { FieldCipher } from '../../gateway/src/store/crypto'
import { ExportRepository } from '../../gateway/src/store/export'
import { ENCRYPTED_COLUMNS, rekey } from '../../gateway/src/store/rekey'
import { createSafetyStore } from '../../gateway/src/store/safety'
import {
	addChild,
	call,
	giveConsent,
	PASSWORD,
	type ParentApp,
	type SignedInParent,
	signUp,
	startParentApp,
	TEST_AUTH_SECRET,
	TEST_ENCRYPTION_KEY,
} from '../support/parent-app'

// Key rotation: every encrypted column moves to the new key, in batches, resumably; afterwards the
// new key alone reads everything. Held to the schema: every ciphertext column is in the job's list.

let pa: ParentApp
let parent: SignedInParent
let childId: string
const oldKey = Buffer.from(TEST_ENCRYPTION_KEY, 'hex')
const newKey = randomBytes(32)

beforeAll(async () => {
	// everything below is written under the old key, by the real code paths
	pa = await startParentApp()
	parent = await signUp(pa)
	childId = await addChild(pa, parent, { name: 'Juniper' })
	await giveConsent(pa, parent, childId, true)
	await call(pa, 'POST', '/api/v1/accounts/email/change', { token: parent.token, body: { new_email: `new-${parent.email}`, password: PASSWORD } })
	await pa.sql`insert into devices (device_id, paired_child_id) values ('rekey-toy', ${childId})`
	const conversations = new ConversationRepository(pa.sql, pa.cipher)
	const c = await conversations.start('rekey-toy', childId)
	for (let i = 0; i < 5; i++) await conversations.append(c, i % 2 ? 'assistant' : 'child', `line ${i}`)
	const safety = createSafetyStore(pa.sql, pa.cipher)
	await safety.alerts.create({ familyId: parent.familyId, childId, deviceId: 'rekey-toy', kind: 'danger', source: 'keyword', language: 'en', excerpt: 'help' })
	await safety.summaries.put(childId, '- likes owls', 3)
})
afterAll(async () => {
	await pa?.close()
})

async function keyIds(): Promise<Set<string>> {
	const ids = new Set<string>()
	for (const col of ENCRYPTED_COLUMNS) {
		const keyId = `${col.prefix ? `${col.prefix}_` : ''}key_id`
		for (const r of await pa.sql.unsafe<{ k: string }[]>(`select distinct ${keyId} as k from ${col.table} where ${keyId} is not null`)) ids.add(r.k)
	}
	return ids
}

test('every encrypted column of the schema is in the job’s list', async () => {
	const rows = await pa.sql<{ table_name: string; column_name: string }[]>`
		select table_name, column_name from information_schema.columns
		where table_schema = 'public' and column_name like '%ciphertext'
	`
	const listed = new Set(ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.prefix ? `${c.prefix}_` : ''}ciphertext`))
	for (const r of rows) expect(listed).toContain(`${r.table_name}.${r.column_name}`)
})

test('an interrupted run resumes; afterwards the new key alone reads everything', async () => {
	const old = new FieldCipher(oldKey)
	expect(await keyIds()).toEqual(new Set([old.keyId]))
	const rotating = new FieldCipher(newKey, [oldKey])
	const first = await rekey(pa.sql, rotating, { maxRows: 4 })
	expect(Object.values(first.moved).reduce((a, b) => a + b, 0)).toBe(4)
	expect(first.remaining).toBeGreaterThan(0)
	const second = await rekey(pa.sql, rotating)
	expect(second.remaining).toBe(0)
	expect(await keyIds()).toEqual(new Set([rotating.keyId]))

	// the old key is gone from the configuration and nothing is lost
	const only = new FieldCipher(newKey)
	const tables = await new ExportRepository(pa.sql, only).family(parent.familyId, auditPseudonymizer(deriveAuthKeys(TEST_AUTH_SECRET))(parent.familyId))
	expect(tables.children![0]!.name).toBe('Juniper')
	expect(tables.messages!.map((m) => m.text)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4'])
	expect(tables.parent_alerts![0]!.excerpt).toBe('help')
	expect(tables.child_summaries![0]!.text).toBe('- likes owls')
	expect(tables.consents!.every((c) => c.parent_email === parent.email)).toBe(true)
	expect(tables.families![0]!.parent_email).toBe(parent.email)
	const account = await new AccountRepository(pa.sql, only, emailIndexer(deriveAuthKeys(TEST_AUTH_SECRET))).byEmail(parent.email)
	expect(account?.id).toBe(parent.parentId)
})

test('a row under a key nobody has is reported, left alone, and does not stall the run', async () => {
	const stranger = new FieldCipher(randomBytes(32))
	const sealed = stranger.encrypt('lost', 'children.name:x')
	await pa.sql`update children set name_ciphertext = ${sealed.ciphertext}, name_nonce = ${sealed.nonce}, name_key_id = ${sealed.keyId} where id = ${childId}`
	const result = await rekey(pa.sql, new FieldCipher(newKey, [oldKey]))
	expect(result.unreadable.children).toBe(1)
	expect(result.remaining).toBe(1)
})

test('the gateway runs it as a recorded maintenance job', async () => {
	const run = await pa.side.runRekey()
	if (run === 'busy') throw new Error('busy')
	expect(run.ok).toBe(true)
	expect(await pa.side.lastRun('rekey')).toMatchObject({ ok: true })
})
