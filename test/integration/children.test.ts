import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { auditPseudonymizer, deriveAuthKeys } from '../../gateway/src/auth/auth-secret'
import { FamilyRepository } from '../../gateway/src/store/families'
import {
	addChild,
	APP_URL,
	CONSENT_VERSION,
	call,
	expectError,
	giveConsent,
	json,
	type ParentApp,
	type SignedInParent,
	signUp,
	startParentApp,
	TEST_AUTH_SECRET,
} from '../support/parent-app'
import { linkIn } from '../support/smtp-sink'

// Children, family settings and consent over REST, with two families: every id-taking route
// answers another family's ids exactly like unknown ids (404), so ids cannot be probed.

let pa: ParentApp
let a: SignedInParent
let b: SignedInParent

beforeAll(async () => {
	pa = await startParentApp({ env: { QUIET_HOURS: '21:00-06:30', DAILY_TOKEN_BUDGET: '5000' } })
	a = await signUp(pa)
	b = await signUp(pa)
})
afterAll(async () => {
	await pa?.close()
})

const ref = auditPseudonymizer(deriveAuthKeys(TEST_AUTH_SECRET))
async function auditActions(childId: string): Promise<string[]> {
	const rows = await pa.sql<{ action: string }[]>`select action from audit_log where child_ref = ${ref(childId)} order by id`
	return rows.map((r) => r.action)
}

describe('children', () => {
	test('a parent adds a child by age or birth year and sees only their own children', async () => {
		const byAge = await addChild(pa, a, { name: 'Ada', age: 7, language: 'en-GB', timezone: 'Europe/London', country: 'GB', voice: 'alloy' })
		const year = new Date().getUTCFullYear() - 9
		const r = await call(pa, 'POST', '/api/v1/children', { token: a.token, body: { name: 'Ben', birth_year: year } })
		expect(r.status).toBe(201)
		expect(await json(r)).toMatchObject({ name: 'Ben', age: 9, birth_year: year })
		await addChild(pa, b, { name: 'Cy' })
		const mine = await json<{ children: Array<{ id: string; name: string }> }>(await call(pa, 'GET', '/api/v1/children', { token: a.token }))
		expect(mine.children.map((c) => c.name).sort()).toEqual(['Ada', 'Ben'])
		const one = await json(await call(pa, 'GET', `/api/v1/children/${byAge}`, { token: a.token }))
		expect(one).toMatchObject({ id: byAge, name: 'Ada', age: 7, language: 'en-GB', timezone: 'Europe/London', country: 'GB', voice: 'alloy' })
		expect(await auditActions(byAge)).toEqual(['child.create', 'child.read'])
	})

	test('the name is stored encrypted', async () => {
		const id = await addChild(pa, a, { name: 'Zephyrine' })
		const [row] = await pa.sql<{ name_ciphertext: Uint8Array }[]>`select name_ciphertext from children where id = ${id}`
		expect(Buffer.from(row!.name_ciphertext).toString('latin1')).not.toContain('Zephyrine')
	})

	test('bad profiles are 400 with a code', async () => {
		const post = (body: object) => call(pa, 'POST', '/api/v1/children', { token: a.token, body })
		await expectError(await post({ name: 'X', age: 2 }), 400, 'BAD_REQUEST')
		await expectError(await post({ name: 'X', birth_year: new Date().getUTCFullYear() - 20 }), 400, 'INVALID_AGE')
		await expectError(await post({ name: 'X' }), 400, 'INVALID_AGE')
		await expectError(await post({ name: 'X', age: 5, timezone: 'Mars/Olympus' }), 400, 'BAD_REQUEST')
		await expectError(await post({ name: 'X', age: 5, country: 'gb' }), 400, 'BAD_REQUEST')
		await expectError(await post({ name: '<script>', age: 5 }), 400, 'BAD_REQUEST')
		await expectError(await call(pa, 'POST', '/api/v1/children', { body: { name: 'X', age: 5 } }), 401, 'UNAUTHORIZED')
	})

	test('a parent edits a profile; null clears a field', async () => {
		const id = await addChild(pa, a, { language: 'vi' })
		const r = await call(pa, 'PATCH', `/api/v1/children/${id}`, { token: a.token, body: { name: 'Adaline', age: 8, language: null } })
		expect(await json(r)).toMatchObject({ name: 'Adaline', age: 8, language: null })
	})

	test('another family’s child is 404 on every route, like an unknown or malformed id', async () => {
		const theirs = await addChild(pa, b, { name: 'Secret' })
		for (const id of [theirs, crypto.randomUUID(), 'not-a-uuid']) {
			await expectError(await call(pa, 'GET', `/api/v1/children/${id}`, { token: a.token }), 404, 'NOT_FOUND')
			await expectError(await call(pa, 'PATCH', `/api/v1/children/${id}`, { token: a.token, body: { name: 'Mine now' } }), 404, 'NOT_FOUND')
			await expectError(await call(pa, 'GET', `/api/v1/children/${id}/consent`, { token: a.token }), 404, 'NOT_FOUND')
			await expectError(
				await call(pa, 'POST', `/api/v1/children/${id}/consent`, {
					token: a.token,
					body: { policy_version: CONSENT_VERSION, method: 'email_plus', third_party_ai: true },
				}),
				404,
				'NOT_FOUND',
			)
			await expectError(await call(pa, 'DELETE', `/api/v1/children/${id}/consent`, { token: a.token }), 404, 'NOT_FOUND')
		}
		const still = await json(await call(pa, 'GET', `/api/v1/children/${theirs}`, { token: b.token }))
		expect(still).toMatchObject({ name: 'Secret' })
	})
})

describe('consent', () => {
	test('the policy texts and their version come from the API; no consent for training exists', async () => {
		const p = await json(await call(pa, 'GET', '/api/v1/consent/policy'))
		expect(p).toMatchObject({ version: CONSENT_VERSION, methods: ['email_plus'], training: false, third_party_ai_required: false })
		expect((p.texts as { coppa: string }).coppa).toContain('never used to train')
	})

	test('email_plus: the request is recorded, confirmed from the verified address, and then counts', async () => {
		const child = await addChild(pa, a)
		const before = await json(await call(pa, 'GET', `/api/v1/children/${child}/consent`, { token: a.token }))
		expect(before).toMatchObject({ coppa: false, third_party_ai: false, history: [] })
		pa.ip.value = '192.0.2.44'
		const r = await call(pa, 'POST', `/api/v1/children/${child}/consent`, {
			token: a.token,
			body: { policy_version: CONSENT_VERSION, method: 'email_plus', third_party_ai: true },
		})
		expect(r.status).toBe(202)
		const pending = await json<{ coppa: boolean; history: Array<Record<string, unknown>> }>(
			await call(pa, 'GET', `/api/v1/children/${child}/consent`, { token: a.token }),
		)
		expect(pending.coppa).toBe(false)
		expect(pending.history).toHaveLength(2)
		const mail = await pa.sink.waitFor(a.email, /confirm-consent/)
		const token = linkIn(mail, `${APP_URL}/confirm-consent`).searchParams.get('token')
		expect((await call(pa, 'POST', '/api/v1/consent/confirm', { body: { token } })).status).toBe(200)
		await expectError(await call(pa, 'POST', '/api/v1/consent/confirm', { body: { token } }), 400, 'LINK_INVALID')
		const after = await json<{ coppa: boolean; third_party_ai: boolean; history: Array<Record<string, unknown>> }>(
			await call(pa, 'GET', `/api/v1/children/${child}/consent`, { token: a.token }),
		)
		expect(after.coppa).toBe(true)
		expect(after.third_party_ai).toBe(true)
		for (const h of after.history) {
			expect(h).toMatchObject({ method: 'email_plus', policy_version: CONSENT_VERSION, parent_id: a.parentId, parent_email: a.email, client_ip: '192.0.2.44' })
			expect(h.confirmed_at).not.toBeNull()
		}
		expect(new Set(after.history.map((h) => h.kind))).toEqual(new Set(['coppa', 'third_party_ai']))
	})

	test('an outdated policy version is 409, a method not carried out here is 400', async () => {
		const child = await addChild(pa, a)
		const ask = (body: object) => call(pa, 'POST', `/api/v1/children/${child}/consent`, { token: a.token, body })
		await expectError(await ask({ policy_version: '1999-01-01', method: 'email_plus', third_party_ai: false }), 409, 'CONFLICT')
		await expectError(await ask({ policy_version: CONSENT_VERSION, method: 'card_check', third_party_ai: false }), 400, 'BAD_REQUEST')
		await expectError(await ask({ policy_version: CONSENT_VERSION, method: 'smoke_signal', third_party_ai: false }), 400, 'BAD_REQUEST')
	})

	test('withdrawing stops the child’s live toys at once', async () => {
		const child = await addChild(pa, a)
		await giveConsent(pa, a, child, true)
		await pa.sql`insert into devices (device_id, paired_child_id) values ('toy-withdraw-1', ${child})`
		pa.control.online.add('toy-withdraw-1')
		const r = await json(await call(pa, 'DELETE', `/api/v1/children/${child}/consent`, { token: a.token }))
		expect(r).toEqual({ withdrawn: 2, disconnected: 1 })
		expect(pa.control.closed.at(-1)).toMatchObject({ deviceId: 'toy-withdraw-1', code: 'CONSENT_REQUIRED' })
		expect(await json(await call(pa, 'GET', `/api/v1/children/${child}/consent`, { token: a.token }))).toMatchObject({ coppa: false, third_party_ai: false })
		expect(await auditActions(child)).toContain('consent.withdraw')
	})

	test('withdrawing only the AI-service consent keeps the parental consent', async () => {
		const child = await addChild(pa, a)
		await giveConsent(pa, a, child, true)
		const r = await json(await call(pa, 'DELETE', `/api/v1/children/${child}/consent?kind=third_party_ai`, { token: a.token }))
		expect(r).toMatchObject({ withdrawn: 1 })
		expect(await json(await call(pa, 'GET', `/api/v1/children/${child}/consent`, { token: a.token }))).toMatchObject({ coppa: true, third_party_ai: false })
	})
})

describe('family settings', () => {
	test('defaults come from the gateway; a parent’s values are the family’s rows the safety layer reads', async () => {
		const fresh = await json<{ settings: Record<string, unknown>; effective: Record<string, unknown> }>(
			await call(pa, 'GET', '/api/v1/family/settings', { token: a.token }),
		)
		expect(fresh.settings).toMatchObject({ quiet_hours: null, daily_token_budget: null, retention_days: null })
		expect(fresh.effective).toMatchObject({ quiet_hours: '21:00-06:30', daily_token_budget: 5000, retention_days: 30, timezone: 'UTC', allowed_tools: [] })
		const r = await call(pa, 'PATCH', '/api/v1/family/settings', {
			token: a.token,
			body: { quiet_hours: '19:30-07:00', daily_limit_minutes: 45, timezone: 'America/New_York', allowed_tools: ['volume', 'lights'], retention_days: 7 },
		})
		expect(r.status).toBe(200)
		expect((await json<{ effective: Record<string, unknown> }>(r)).effective).toMatchObject({
			quiet_hours: '19:30-07:00',
			daily_limit_minutes: 45,
			timezone: 'America/New_York',
			allowed_tools: ['volume', 'lights'],
			retention_days: 7,
		})
		// what the toy's safety layer reads for a child of this family
		const child = await addChild(pa, a)
		const family = await new FamilyRepository(pa.sql, pa.cipher).ofChild(child)
		expect(family).toMatchObject({ quietHours: { startMinute: 19 * 60 + 30, endMinute: 7 * 60 }, dailyLimitMinutes: 45, timezone: 'America/New_York' })
		// the other family is untouched
		const theirs = await json<{ settings: Record<string, unknown> }>(await call(pa, 'GET', '/api/v1/family/settings', { token: b.token }))
		expect(theirs.settings).toMatchObject({ quiet_hours: null, daily_limit_minutes: null })
		// null goes back to the default
		const reset = await json<{ effective: Record<string, unknown> }>(
			await call(pa, 'PATCH', '/api/v1/family/settings', { token: a.token, body: { quiet_hours: null } }),
		)
		expect(reset.effective.quiet_hours).toBe('21:00-06:30')
	})

	test('bad settings are 400', async () => {
		const patch = (body: object) => call(pa, 'PATCH', '/api/v1/family/settings', { token: a.token, body })
		await expectError(await patch({ quiet_hours: '25:00-07:00' }), 400, 'BAD_REQUEST')
		await expectError(await patch({ play_reminder_minutes: 240 }), 400, 'BAD_REQUEST')
		await expectError(await patch({ timezone: 'Nowhere/Land' }), 400, 'BAD_REQUEST')
		await expectError(await patch({ allowed_tools: ['Bad Tool'] }), 400, 'BAD_REQUEST')
	})
})
