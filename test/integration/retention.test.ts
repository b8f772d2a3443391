import { afterAll, beforeAll, expect, test } from 'bun:test'
import postgres from 'postgres'
import { ConversationRepository } from '../../gateway/src/store'
import { createSafetyStore, type SafetyStore } from '../../gateway/src/store/safety'
import { addChild, call, type ParentApp, type SignedInParent, signUp, startParentApp } from '../support/parent-app'

// The retention purge: transcripts, alerts and memory after the family's period (its own, or the
// default), usage, audit entries, spent sessions and unconfirmed sign-ups after theirs; one replica
// at a time; every run recorded for /health/ready.

let pa: ParentApp
let conversations: ConversationRepository
let safety: SafetyStore
let a: SignedInParent
let b: SignedInParent

beforeAll(async () => {
	pa = await startParentApp({ env: { RETENTION_DAYS: '30', AUDIT_RETENTION_DAYS: '365' } })
	conversations = new ConversationRepository(pa.sql, pa.cipher)
	safety = createSafetyStore(pa.sql, pa.cipher)
	a = await signUp(pa)
	b = await signUp(pa)
	await call(pa, 'PATCH', '/api/v1/family/settings', { token: a.token, body: { retention_days: 7 } })
})
afterAll(async () => {
	await pa?.close()
})

const exists = async (table: string, id: string) => (await pa.sql.unsafe(`select 1 from ${table} where id = $1`, [id])).length === 1

async function conversationAged(childId: string, deviceId: string, days: number): Promise<string> {
	const id = await conversations.start(deviceId, childId)
	await conversations.append(id, 'child', `said ${days} days ago`)
	await pa.sql`update conversations set started_at = now() - make_interval(days => ${days}) where id = ${id}`
	await pa.sql`update messages set created_at = now() - make_interval(days => ${days}) where conversation_id = ${id}`
	return id
}

async function alertAged(familyId: string, childId: string, days: number): Promise<string> {
	const id = await safety.alerts.create({ familyId, childId, deviceId: null, kind: 'danger', source: 'keyword', language: 'en', excerpt: 'x' })
	await pa.sql`update parent_alerts set created_at = now() - make_interval(days => ${days}) where id = ${id}`
	return id
}

test('each family’s period decides: its own setting, else the default', async () => {
	const ca = await addChild(pa, a)
	const cb = await addChild(pa, b, { birth_year: new Date().getUTCFullYear() - 8 })
	await pa.sql`insert into devices (device_id, paired_child_id) values ('ret-a', ${ca}), ('ret-b', ${cb})`
	const aOld = await conversationAged(ca, 'ret-a', 10)
	const aNew = await conversationAged(ca, 'ret-a', 3)
	const bMid = await conversationAged(cb, 'ret-b', 10)
	const bOld = await conversationAged(cb, 'ret-b', 40)
	const alertAOld = await alertAged(a.familyId, ca, 10)
	const alertBMid = await alertAged(b.familyId, cb, 10)
	await safety.summaries.put(ca, '- old words', 3)
	await pa.sql`update child_summaries set updated_at = now() - interval '10 days' where child_id = ${ca}`
	await safety.summaries.put(cb, '- recent words', 3)
	await pa.sql`insert into audit_log (at, actor_role, actor_ref, action) values (now() - interval '400 days', 'parent', 'x', 'old.entry'), (now(), 'parent', 'x', 'new.entry')`
	await pa.sql`insert into usage_daily (day, scope, scope_id, turns) values (current_date - 500, 'device', 'ret-a', 1), (current_date - 10, 'device', 'ret-a', 1)`
	// the birth year says the child is older now than the age stored
	await pa.sql`update children set age = 5 where id = ${cb}`

	const run = await pa.side.runRetention()
	if (run === 'busy') throw new Error('busy')
	expect(run.ok).toBe(true)

	expect(await exists('conversations', aOld)).toBe(false)
	expect(await exists('conversations', aNew)).toBe(true)
	expect(await exists('conversations', bMid)).toBe(true)
	expect(await exists('conversations', bOld)).toBe(false)
	expect((await pa.sql`select 1 from messages where conversation_id = ${aOld}`).length).toBe(0)
	expect(await exists('parent_alerts', alertAOld)).toBe(false)
	expect(await exists('parent_alerts', alertBMid)).toBe(true)
	expect((await pa.sql`select 1 from child_summaries where child_id = ${ca}`).length).toBe(0)
	expect((await pa.sql`select 1 from child_summaries where child_id = ${cb}`).length).toBe(1)
	expect((await pa.sql`select action from audit_log where action in ('old.entry', 'new.entry')`).map((r) => r.action)).toEqual(['new.entry'])
	expect((await pa.sql`select count(*)::int as n from usage_daily where scope_id = 'ret-a'`)[0]!.n).toBe(1)
	expect((await pa.sql<{ age: number }[]>`select age from children where id = ${cb}`)[0]!.age).toBe(8)
	expect(run.result).toMatchObject({ conversations: 2, parent_alerts: 1, child_summaries: 1, usage_daily: 1, children_age: 1 })
	expect(await pa.side.lastRun('retention')).toMatchObject({ ok: true, error: null })
})

test('spent sessions, used links and sign-ups never confirmed go', async () => {
	await pa.sql`update auth_sessions set revoked_at = now() - interval '40 days' where parent_id = ${b.parentId}`
	const r = await call(pa, 'POST', '/api/v1/accounts/register', { body: { email: `never-${crypto.randomUUID()}@example.test`, password: 'correct horse battery' } })
	expect(r.status).toBe(202)
	const [unconfirmed] = await pa.sql<{ family_id: string }[]>`select family_id from parents where email_verified_at is null order by created_at desc limit 1`
	await pa.sql`update families set created_at = now() - interval '8 days' where id = ${unconfirmed!.family_id}`
	await pa.sql`update account_tokens set expires_at = now() - interval '2 days', used_at = case when used_at is null then null else now() - interval '2 days' end`
	const run = await pa.side.runRetention()
	if (run === 'busy') throw new Error('busy')
	expect((await pa.sql`select 1 from auth_sessions where parent_id = ${b.parentId}`).length).toBe(0)
	expect((await pa.sql`select 1 from families where id = ${unconfirmed!.family_id}`).length).toBe(0)
	expect((await pa.sql`select 1 from account_tokens`).length).toBe(0)
	// confirmed households stay
	expect((await pa.sql`select 1 from families where id = ${a.familyId}`).length).toBe(1)
})

test('one replica at a time: a run that finds the lock taken skips', async () => {
	const other = postgres(pa.db.url, { max: 1, onnotice: () => {} })
	try {
		const held = await other.reserve()
		await held`begin`
		await held`select pg_advisory_xact_lock(7366353906473502101)`
		expect(await pa.side.runRetention()).toBe('busy')
		await held`rollback`
		held.release()
		expect(await pa.side.runRetention()).not.toBe('busy')
	} finally {
		await other.end()
	}
})
