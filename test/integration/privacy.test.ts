import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ConversationRepository } from '../../gateway/src/store'
import { createSafetyStore, type SafetyStore } from '../../gateway/src/store/safety'
import {
	addChild,
	call,
	expectError,
	giveConsent,
	json,
	PASSWORD,
	type ParentApp,
	type SignedInParent,
	signIn,
	signUp,
	startParentApp,
} from '../support/parent-app'
import { idsInDatabase, tablesReferencing } from '../support/scan'

// Export and deletion with two families: an export holds every table that references a child (held
// to the schema, so a new table cannot be forgotten), and deletion leaves no trace of the deleted
// ids in any column of any table; the other family keeps everything.

let pa: ParentApp
let conversations: ConversationRepository
let safety: SafetyStore

beforeAll(async () => {
	pa = await startParentApp()
	conversations = new ConversationRepository(pa.sql, pa.cipher)
	safety = createSafetyStore(pa.sql, pa.cipher)
})
afterAll(async () => {
	await pa?.close()
})

interface Lived {
	parent: SignedInParent
	childId: string
	deviceId: string
	conversationId: string
	alertId: string
}

/** A child with everything a real life with the toy leaves behind, written by the toy side's repositories. */
async function liveALittle(tag: string): Promise<Lived> {
	const parent = await signUp(pa)
	const childId = await addChild(pa, parent, { name: `Kid ${tag}`, age: 7, language: 'en' })
	await giveConsent(pa, parent, childId, true)
	const deviceId = `toy-${tag}-${crypto.randomUUID().slice(0, 8)}`
	await pa.sql`insert into devices (device_id, paired_child_id) values (${deviceId}, ${childId})`
	const conversationId = await conversations.start(deviceId, childId)
	await conversations.append(conversationId, 'child', `my secret ${tag}`)
	await conversations.append(conversationId, 'assistant', `What a secret, ${tag}!`)
	const alertId = await safety.alerts.create({ familyId: parent.familyId, childId, deviceId, kind: 'danger', source: 'keyword', language: 'en', excerpt: `danger ${tag}` })
	await safety.summaries.put(childId, `- my secret ${tag}`, 5)
	await safety.programme.current(childId, 7)
	await safety.programme.countTurn(childId, 7)
	const day = new Date().toISOString().slice(0, 10)
	await safety.usage.add(day, deviceId, parent.familyId, { turns: 1, tokensIn: 10, tokensOut: 10, audioInMs: 1000, audioOutMs: 1000 })
	await call(pa, 'GET', `/api/v1/conversations/${conversationId}/messages`, { token: parent.token })
	return { parent, childId, deviceId, conversationId, alertId }
}

describe('export', () => {
	test('a child’s export holds every table that references a child, decrypted, without secrets', async () => {
		const l = await liveALittle('exp')
		const r = await call(pa, 'GET', `/api/v1/children/${l.childId}/export`, { token: l.parent.token })
		expect(r.headers.get('content-disposition')).toContain('attachment')
		const doc = await json<{ format: string; tables: Record<string, Array<Record<string, unknown>>> }>(r)
		expect(doc.format).toBe('teddy-export/1')
		// held to the schema: a table that gains a child reference must be exported
		const childTables = [...(await tablesReferencing(pa.sql, 'children')), ...(await tablesReferencing(pa.sql, 'conversations'))]
		for (const t of childTables) {
			expect(Object.keys(doc.tables)).toContain(t)
			expect(doc.tables[t]!.length).toBeGreaterThan(0)
		}
		expect(doc.tables.children![0]).toMatchObject({ id: l.childId, name: 'Kid exp', age: 7 })
		expect(doc.tables.messages!.map((m) => m.text)).toEqual(['my secret exp', 'What a secret, exp!'])
		expect(doc.tables.parent_alerts![0]).toMatchObject({ id: l.alertId, excerpt: 'danger exp' })
		expect(doc.tables.child_summaries![0]!.text).toBe('- my secret exp')
		expect(doc.tables.consents!.every((c) => c.parent_email === l.parent.email)).toBe(true)
		const text = JSON.stringify(doc)
		expect(text).not.toMatch(/ciphertext|_nonce|password_hash|email_index|token_hash/)
	})

	test('the household’s export adds the account, settings, sessions, usage and audit log', async () => {
		const l = await liveALittle('fam')
		const doc = await json<{ tables: Record<string, Array<Record<string, unknown>>> }>(await call(pa, 'GET', '/api/v1/family/export', { token: l.parent.token }))
		// every table tied to a household, a parent or a child, except credentials (hashes of tokens, never personal data)
		const credentials = new Set(['refresh_tokens', 'account_tokens'])
		const tied = new Set([
			...(await tablesReferencing(pa.sql, 'families')),
			...(await tablesReferencing(pa.sql, 'parents')),
			...(await tablesReferencing(pa.sql, 'children')),
			...(await tablesReferencing(pa.sql, 'conversations')),
			...(await tablesReferencing(pa.sql, 'auth_sessions')),
			'usage_daily',
			'audit_log',
		])
		for (const t of tied) if (!credentials.has(t)) expect(Object.keys(doc.tables)).toContain(t)
		expect(doc.tables.parents![0]).toMatchObject({ id: l.parent.parentId, email: l.parent.email })
		expect(doc.tables.usage_daily!.length).toBe(2)
		expect(doc.tables.audit_log!.some((a) => a.action === 'conversation.read')).toBe(true)
		expect(JSON.stringify(doc)).not.toMatch(/ciphertext|password_hash|email_index|token_hash/)
	})

	test('another family’s child cannot be exported', async () => {
		const mine = await liveALittle('e1')
		const theirs = await liveALittle('e2')
		await expectError(await call(pa, 'GET', `/api/v1/children/${theirs.childId}/export`, { token: mine.parent.token }), 404, 'NOT_FOUND')
		const fam = await json<{ tables: Record<string, Array<Record<string, unknown>>> }>(await call(pa, 'GET', '/api/v1/family/export', { token: mine.parent.token }))
		expect(JSON.stringify(fam)).not.toContain(theirs.childId)
	})
})

describe('deletion', () => {
	test('deleting a conversation removes it, its messages and the memory that may quote it', async () => {
		const l = await liveALittle('dc')
		const other = await liveALittle('dc2')
		await expectError(await call(pa, 'DELETE', `/api/v1/conversations/${other.conversationId}`, { token: l.parent.token }), 404, 'NOT_FOUND')
		expect((await call(pa, 'DELETE', `/api/v1/conversations/${l.conversationId}`, { token: l.parent.token })).status).toBe(200)
		expect(await idsInDatabase(pa.sql, [l.conversationId])).toEqual([])
		expect((await pa.sql`select 1 from child_summaries where child_id = ${l.childId}`).length).toBe(0)
		expect(pa.caches.forgotten.at(-1)).toEqual({ childId: l.childId, deviceIds: [l.deviceId] })
		expect((await pa.sql`select 1 from conversations where id = ${other.conversationId}`).length).toBe(1)
	})

	test('deleting a child leaves none of its ids in any table, closes its toys and drops the caches', async () => {
		const l = await liveALittle('dk')
		const other = await liveALittle('dk2')
		await expectError(await call(pa, 'DELETE', `/api/v1/children/${l.childId}`, { token: other.parent.token }), 404, 'NOT_FOUND')
		const ids = [l.childId, l.conversationId, l.alertId]
		expect((await idsInDatabase(pa.sql, ids)).length).toBeGreaterThan(0)
		pa.control.online.add(l.deviceId)
		const r = await json(await call(pa, 'DELETE', `/api/v1/children/${l.childId}`, { token: l.parent.token }))
		expect(r).toEqual({ deleted: true, disconnected: 1 })
		expect(await idsInDatabase(pa.sql, ids)).toEqual([])
		expect(pa.control.closed.at(-1)).toMatchObject({ deviceId: l.deviceId, code: 'FORBIDDEN' })
		expect(pa.caches.forgotten.at(-1)).toEqual({ childId: l.childId, deviceIds: [l.deviceId] })
		// the toy stays the family's hardware, unpaired and with its tokens revoked
		const [dev] = await pa.sql<{ paired_child_id: string | null; token_generation: number }[]>`
			select paired_child_id, token_generation from devices where device_id = ${l.deviceId}
		`
		expect(dev).toMatchObject({ paired_child_id: null, token_generation: 1 })
		// the deletion itself is audited, under a pseudonym
		expect(await json(await call(pa, 'GET', '/api/v1/family/audit', { token: l.parent.token }))).toMatchObject({
			entries: expect.arrayContaining([expect.objectContaining({ action: 'child.delete', by_you: true })]),
		})
		// the other family is untouched
		expect(await idsInDatabase(pa.sql, [other.childId, other.conversationId, other.alertId])).not.toEqual([])
		await expectError(await call(pa, 'GET', `/api/v1/children/${l.childId}`, { token: l.parent.token }), 404, 'NOT_FOUND')
	})

	test('deleting the account removes the household: no id of it left in any table, and it cannot sign in', async () => {
		const l = await liveALittle('da')
		const other = await liveALittle('da2')
		await expectError(await call(pa, 'DELETE', '/api/v1/accounts/me', { token: l.parent.token, body: { password: 'not my password' } }), 401, 'UNAUTHORIZED')
		const ids = [l.parent.familyId, l.parent.parentId, l.childId, l.deviceId, l.conversationId, l.alertId]
		const r = await json(await call(pa, 'DELETE', '/api/v1/accounts/me', { token: l.parent.token, body: { password: PASSWORD } }))
		expect(r).toMatchObject({ deleted: true })
		expect(await idsInDatabase(pa.sql, ids)).toEqual([])
		await expect(signIn(pa, l.parent.email)).rejects.toThrow(/401/)
		await expectError(await call(pa, 'GET', '/api/v1/accounts/me', { token: l.parent.token }), 401, 'UNAUTHORIZED')
		expect(pa.caches.forgotten.some((f) => f.childId === l.childId)).toBe(true)
		const others = [other.parent.familyId, other.parent.parentId, other.childId, other.deviceId, other.conversationId, other.alertId]
		const left = await idsInDatabase(pa.sql, others)
		for (const id of others) expect(left.some((h) => h.endsWith(id))).toBe(true)
	})

	test('a toy’s turn that settles after the household is deleted does not bring its usage back', async () => {
		const l = await liveALittle('late')
		expect((await call(pa, 'DELETE', '/api/v1/accounts/me', { token: l.parent.token, body: { password: PASSWORD } })).status).toBe(200)
		// what SafeProvider.settle writes when an aborted turn finishes after the deletion
		const day = new Date().toISOString().slice(0, 10)
		await safety.usage.add(day, l.deviceId, l.parent.familyId, { turns: 1, tokensIn: 1, tokensOut: 1, audioInMs: 1, audioOutMs: 1 })
		expect(await idsInDatabase(pa.sql, [l.parent.familyId, l.deviceId])).toEqual([])
	})

	test('a toy another household used keeps its row (and their conversations) when this household is deleted', async () => {
		const before = await liveALittle('hand-me-down')
		const after = await signUp(pa)
		const child = await addChild(pa, after)
		await pa.sql`update devices set paired_child_id = ${child} where device_id = ${before.deviceId}`
		expect((await call(pa, 'DELETE', '/api/v1/accounts/me', { token: after.token, body: { password: PASSWORD } })).status).toBe(200)
		expect((await pa.sql`select 1 from conversations where id = ${before.conversationId}`).length).toBe(1)
	})
})
