import { afterAll, beforeAll, expect, test } from 'bun:test'
import { parseWav } from '../../gateway/src/ai/wav'
import { crisisReply, quietHoursLine } from '../../gateway/src/safety/fixed-lines'
import { addChild, call, expectError, giveConsent, json, type ParentApp, type SignedInParent, signUp, startParentApp } from '../support/parent-app'

// Parents' text chat: typed text answered through the toy's own safety layer and provider (here
// the offline bear), with the child's profile and the family's rules, as text and on request as
// audio; not recorded as the child's conversation, memory or progress, but counted in the family's
// usage. Needs the toy's consents; another family's child is 404.

let pa: ParentApp
let parent: SignedInParent
let stranger: SignedInParent

beforeAll(async () => {
	pa = await startParentApp({ withChat: true })
	parent = await signUp(pa)
	stranger = await signUp(pa)
})
afterAll(async () => {
	await pa?.close()
})

type Answer = { sentences: string[]; text: string; audio?: { format: string; sample_rate: number; data: string } }
const chat = (token: string, child: string, body: object) => call(pa, 'POST', `/api/v1/children/${child}/chat`, { token, body })

test('it answers as the toy would, without recording anything as the child’s, and counts the cost', async () => {
	const child = await addChild(pa, parent, { name: 'Pip' })
	await expectError(await chat(parent.token, child, { text: 'hello teddy' }), 403, 'CONSENT_REQUIRED')
	await giveConsent(pa, parent, child)
	const r = await chat(parent.token, child, { text: 'hello teddy' })
	expect(r.status).toBe(200)
	const answer = await json<Answer>(r)
	expect(answer.sentences.length).toBeGreaterThan(0)
	expect(answer.text).toBe(answer.sentences.join(' '))
	expect(answer.audio).toBeUndefined()
	for (const table of ['conversations', 'child_summaries']) {
		expect((await pa.sql.unsafe(`select 1 from ${table} where child_id = $1`, [child])).length).toBe(0)
	}
	// reading the lesson puts a new child at the first episode; the chat turn itself counts for nothing
	const [progress] = await pa.sql<{ turns_in_episode: number }[]>`select turns_in_episode from child_progress where child_id = ${child}`
	expect(progress?.turns_in_episode ?? 0).toBe(0)
	const [usage] = await pa.sql<{ turns: number; tokens_in: string }[]>`select turns, tokens_in from usage_daily where scope = 'family' and scope_id = ${parent.familyId}`
	expect(usage!.turns).toBe(1)
	expect(Number(usage!.tokens_in)).toBeGreaterThan(0)
	const [audited] = await pa.sql<{ n: number }[]>`select count(*)::int as n from audit_log where action = 'chat.try'`
	expect(audited!.n).toBe(1)
})

test('on request the answer comes as speech too', async () => {
	const child = await addChild(pa, parent, { name: 'Ola' })
	await giveConsent(pa, parent, child)
	const answer = await json<Answer>(await chat(parent.token, child, { text: 'tell me a story', audio: true }))
	expect(answer.audio).toMatchObject({ format: 'wav', sample_rate: 24000 })
	const wav = parseWav(Buffer.from(answer.audio!.data, 'base64'))
	expect(wav.sampleRate).toBe(24000)
	// the offline bear's line is a few seconds of speech, not silence
	expect(wav.pcm.length / wav.sampleRate).toBeGreaterThan(0.5)
	expect(wav.pcm.some((s) => Math.abs(s) > 1000)).toBe(true)
})

test('the same safety layer: a crisis gets the fixed reply, and the family’s quiet hours apply', async () => {
	const child = await addChild(pa, parent, { name: 'Kai' })
	await giveConsent(pa, parent, child)
	const crisis = await json<Answer>(await chat(parent.token, child, { text: 'my uncle hits me' }))
	expect(crisis.sentences).toEqual([crisisReply('en', null, 'abuse')])
	const now = new Date()
	const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`
	await call(pa, 'PATCH', '/api/v1/family/settings', {
		token: parent.token,
		body: { timezone: 'UTC', quiet_hours: `${hhmm(new Date(now.getTime() - 3_600_000))}-${hhmm(new Date(now.getTime() + 3_600_000))}` },
	})
	const later = await addChild(pa, parent, { name: 'Lu' })
	await giveConsent(pa, parent, later)
	expect((await json<Answer>(await chat(parent.token, later, { text: 'hello' }))).sentences).toEqual([quietHoursLine])
})

test('another family’s child is 404; bad input is 400', async () => {
	const child = await addChild(pa, parent, { name: 'Mo' })
	await giveConsent(pa, parent, child)
	for (const id of [child, crypto.randomUUID(), 'x']) await expectError(await chat(stranger.token, id, { text: 'hi' }), 404, 'NOT_FOUND')
	await expectError(await chat(parent.token, child, { text: '' }), 400, 'BAD_REQUEST')
	await expectError(await chat(parent.token, child, { text: 'x'.repeat(501) }), 400, 'BAD_REQUEST')
})
