import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { auditPseudonymizer, deriveAuthKeys } from '../../gateway/src/auth/auth-secret'
import { ConversationRepository } from '../../gateway/src/store'
import { createSafetyStore, type SafetyStore } from '../../gateway/src/store/safety'
import { addChild, call, expectError, json, type ParentApp, type SignedInParent, signUp, startParentApp, TEST_AUTH_SECRET } from '../support/parent-app'

// What parents see, with two families: transcripts decrypted and paged newest first, crisis alerts
// with their context and an acknowledgement, usage and cost, learning progress. The data is written
// by the toy side's own repositories, as a real session writes it. Every id-taking route answers
// the other family's ids with 404.

let pa: ParentApp
let a: SignedInParent
let b: SignedInParent
let childA: string
let childB: string
let conversations: ConversationRepository
let safety: SafetyStore
const convs: string[] = []

beforeAll(async () => {
	pa = await startParentApp({ env: { COST_USD_PER_MILLION_TOKENS_IN: '1', COST_USD_PER_MILLION_TOKENS_OUT: '2', COST_USD_PER_AUDIO_MINUTE_IN: '0.5', COST_USD_PER_AUDIO_MINUTE_OUT: '0.25' } })
	a = await signUp(pa)
	b = await signUp(pa)
	childA = await addChild(pa, a, { name: 'Ada', age: 6 })
	childB = await addChild(pa, b, { name: 'Bo', age: 6 })
	conversations = new ConversationRepository(pa.sql, pa.cipher)
	safety = createSafetyStore(pa.sql, pa.cipher)
	await pa.sql`insert into devices (device_id, paired_child_id) values ('view-toy-a', ${childA}), ('view-toy-b', ${childB})`
	// three conversations of A's child, a day apart, the oldest first
	for (let day = 3; day >= 1; day--) {
		const id = await conversations.start('view-toy-a', childA)
		await pa.sql`update conversations set started_at = now() - make_interval(days => ${day}) where id = ${id}`
		for (let i = 0; i < 5; i++) await conversations.append(id, i % 2 ? 'assistant' : 'child', `day ${day} line ${i}`)
		convs.push(id)
	}
	const other = await conversations.start('view-toy-b', childB)
	await conversations.append(other, 'child', 'secret of family B')
	convs.push(other)
})
afterAll(async () => {
	await pa?.close()
})

const ref = auditPseudonymizer(deriveAuthKeys(TEST_AUTH_SECRET))

describe('conversations', () => {
	test('newest first, paged by cursor, decrypted on the server', async () => {
		const p1 = await json<{ conversations: Array<{ id: string; messages: number }>; next: string }>(
			await call(pa, 'GET', `/api/v1/children/${childA}/conversations?limit=2`, { token: a.token }),
		)
		expect(p1.conversations.map((c) => c.id)).toEqual([convs[2], convs[1]])
		expect(p1.conversations[0]!.messages).toBe(5)
		const p2 = await json<{ conversations: Array<{ id: string }>; next: string | null }>(
			await call(pa, 'GET', `/api/v1/children/${childA}/conversations?limit=2&before=${p1.next}`, { token: a.token }),
		)
		expect(p2.conversations.map((c) => c.id)).toEqual([convs[0]])
		expect(p2.next).toBeNull()

		const m1 = await json<{ messages: Array<{ text: string; role: string; seq: number }>; next: number }>(
			await call(pa, 'GET', `/api/v1/conversations/${convs[2]}/messages?limit=2`, { token: a.token }),
		)
		expect(m1.messages.map((m) => m.text)).toEqual(['day 1 line 4', 'day 1 line 3'])
		expect(m1.messages.map((m) => m.role)).toEqual(['child', 'assistant'])
		const m2 = await json<{ messages: Array<{ text: string }>; next: number | null }>(
			await call(pa, 'GET', `/api/v1/conversations/${convs[2]}/messages?limit=10&before=${m1.next}`, { token: a.token }),
		)
		expect(m2.messages.map((m) => m.text)).toEqual(['day 1 line 2', 'day 1 line 1', 'day 1 line 0'])
		expect(m2.next).toBeNull()
		const [audited] = await pa.sql<{ n: number }[]>`
			select count(*)::int as n from audit_log where child_ref = ${ref(childA)} and action = 'conversation.read' and target_ref = ${ref(convs[2]!)}
		`
		expect(audited!.n).toBe(2)
	})

	test('another family’s child and conversation are 404, like unknown ones', async () => {
		for (const id of [childB, crypto.randomUUID(), 'x']) {
			await expectError(await call(pa, 'GET', `/api/v1/children/${id}/conversations`, { token: a.token }), 404, 'NOT_FOUND')
		}
		for (const id of [convs[3], crypto.randomUUID(), 'x']) {
			await expectError(await call(pa, 'GET', `/api/v1/conversations/${id}/messages`, { token: a.token }), 404, 'NOT_FOUND')
		}
		expect((await call(pa, 'GET', `/api/v1/conversations/${convs[3]}/messages`, { token: b.token })).status).toBe(200)
	})
})

describe('alerts', () => {
	let alertA: string
	let alertB: string
	beforeAll(async () => {
		const c = await conversations.start('view-toy-a', childA)
		await conversations.append(c, 'child', 'i feel sad today')
		await conversations.append(c, 'assistant', 'I am sorry you feel sad.')
		await conversations.append(c, 'child', 'someone is hurting me')
		alertA = await safety.alerts.create({ familyId: a.familyId, childId: childA, deviceId: 'view-toy-a', kind: 'abuse', source: 'keyword', language: 'en', excerpt: 'someone is hurting me' })
		alertB = await safety.alerts.create({ familyId: b.familyId, childId: childB, deviceId: 'view-toy-b', kind: 'danger', source: 'keyword', language: 'en', excerpt: 'B words' })
	})

	test('a parent sees their own alerts with what was said around them, and acknowledges one', async () => {
		const list = await json<{ alerts: Array<Record<string, unknown>> }>(await call(pa, 'GET', '/api/v1/alerts', { token: a.token }))
		expect(list.alerts.map((x) => x.id)).toEqual([alertA])
		const one = await json<{ excerpt: string; context: Array<{ text: string }> }>(await call(pa, 'GET', `/api/v1/alerts/${alertA}`, { token: a.token }))
		expect(one.excerpt).toBe('someone is hurting me')
		expect(one.context.map((m) => m.text).slice(-3)).toEqual(['i feel sad today', 'I am sorry you feel sad.', 'someone is hurting me'])
		const acked = await json(await call(pa, 'POST', `/api/v1/alerts/${alertA}/acknowledge`, { token: a.token }))
		expect(acked).toMatchObject({ id: alertA, acknowledged_by: a.parentId })
		expect(acked.acknowledged_at).not.toBeNull()
		const open = await json<{ alerts: unknown[] }>(await call(pa, 'GET', '/api/v1/alerts?open=true', { token: a.token }))
		expect(open.alerts).toEqual([])
	})

	test('another family’s alert is 404 on every route', async () => {
		for (const id of [alertB, crypto.randomUUID(), 'x']) {
			await expectError(await call(pa, 'GET', `/api/v1/alerts/${id}`, { token: a.token }), 404, 'NOT_FOUND')
			await expectError(await call(pa, 'POST', `/api/v1/alerts/${id}/acknowledge`, { token: a.token }), 404, 'NOT_FOUND')
		}
		expect(await json(await call(pa, 'GET', `/api/v1/alerts?child_id=${childB}`, { token: a.token }))).toEqual({ alerts: [] })
		const [row] = await pa.sql<{ acknowledged_at: Date | null }[]>`select acknowledged_at from parent_alerts where id = ${alertB}`
		expect(row!.acknowledged_at).toBeNull()
	})
})

test('usage: the family’s days and its toys’, with the estimated cost; nothing of the other family', async () => {
	const today = new Date().toISOString().slice(0, 10)
	await safety.usage.add(today, 'view-toy-a', a.familyId, { turns: 3, tokensIn: 1_000_000, tokensOut: 500_000, audioInMs: 120_000, audioOutMs: 240_000 })
	await safety.usage.add(today, 'view-toy-b', b.familyId, { turns: 9, tokensIn: 9, tokensOut: 9, audioInMs: 9, audioOutMs: 9 })
	const r = await json<{ days: Array<Record<string, unknown>>; devices: Array<{ device_id: string; days: unknown[] }>; total: Record<string, number> }>(
		await call(pa, 'GET', '/api/v1/usage', { token: a.token }),
	)
	// 1 M tokens in at $1 + 0.5 M out at $2 + 2 min in at $0.5 + 4 min out at $0.25
	expect(r.days).toEqual([{ day: today, turns: 3, tokens_in: 1_000_000, tokens_out: 500_000, minutes: 6, cost_usd: 4 }])
	expect(r.devices.map((d) => d.device_id)).toEqual(['view-toy-a'])
	expect(r.total).toEqual({ turns: 3, minutes: 6, cost_usd: 4 })
	await expectError(await call(pa, 'GET', '/api/v1/usage?from=2025-02-01&to=2025-01-01', { token: a.token }), 400, 'BAD_REQUEST')
})

test('learning progress per season and episode; another family’s child is 404', async () => {
	for (let i = 0; i < 7; i++) {
		await safety.programme.current(childA, 6)
		await safety.programme.countTurn(childA, 6)
	}
	const p = await json<{ episodes_completed: number; seasons: Array<{ episodes: Array<{ status: string; turns_done: number }> }> }>(
		await call(pa, 'GET', `/api/v1/children/${childA}/progress`, { token: a.token }),
	)
	expect(p.episodes_completed).toBe(1)
	expect(p.seasons[0]!.episodes.map((e) => e.status)).toEqual(['done', 'current', 'upcoming'])
	expect(p.seasons[0]!.episodes[1]!.turns_done).toBe(1)
	expect(p.seasons[1]!.episodes.every((e) => e.status === 'upcoming')).toBe(true)
	const fresh = await json<{ current_episode_id: number | null }>(await call(pa, 'GET', `/api/v1/children/${childB}/progress`, { token: b.token }))
	expect(fresh.current_episode_id).toBeNull()
	await expectError(await call(pa, 'GET', `/api/v1/children/${childB}/progress`, { token: a.token }), 404, 'NOT_FOUND')
})
