import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomBytes, randomUUID } from 'node:crypto'
import { OpenAIPipelineProvider } from '../../gateway/src/ai/openai-pipeline'
import type { Provider, ProviderEvent, TurnInput } from '../../gateway/src/ai/provider'
import {
	breakReminder,
	budgetLine,
	crisisReply,
	dailyLimitLine,
	disclosure,
	quietHoursLine,
	redirect,
	sessionIntro,
} from '../../gateway/src/safety/fixed-lines'
import { createSmtpMailer, type Mailer } from '../../gateway/src/safety/mailer'
import { type Moderator, NoModerator, OpenAIModerator } from '../../gateway/src/safety/moderation'
import { ParentAlerts } from '../../gateway/src/safety/parent-alerts'
import type { SafetyDefaults } from '../../gateway/src/safety/policy'
import { SafeProvider } from '../../gateway/src/safety/safe-provider'
import type { Language } from '../../gateway/src/safety/normalize'
import { espeakFixed, type SpeakFixed } from '../../gateway/src/safety/speak-fixed'
import { createStore, FieldCipher, migrate, type Store } from '../../gateway/src/store/index'
import type { NewFamily } from '../../gateway/src/store/safety'
import { WriteBacklog } from '../../gateway/src/store/write-backlog'
import { log } from '../../gateway/src/obs/logger'
import { type OpenedTestDatabase, openTestDatabase } from '../support/databases'
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai'
import { bodyOf, type SmtpSink, startSmtpSink } from '../support/smtp-sink'

// SafeProvider against real Postgres, with the real openai SDK talking to the OpenAI fake for
// moderation, a scripted inner provider (so aborts and calls can be seen), and a loopback SMTP sink.

const DEFAULTS: SafetyDefaults = {
	timezone: 'UTC',
	dailyTokenBudget: 200_000,
	dailyLimitMinutes: 0,
	quietHours: null,
	playReminderMinutes: 180,
	allowedTools: [],
}

// Fixed lines with a marker audio rate (11025), so a test can tell them from the inner provider's.
const FIXED_RATE = 11025
const quickSpeak: SpeakFixed = async function* (text) {
	yield { type: 'sentence', text }
	yield { type: 'audio', pcm: new Int16Array(FIXED_RATE / 10), sampleRate: FIXED_RATE }
}

/** Says its sentences, each followed by audio whose samples are the sentence's number. */
class Scripted implements Provider {
	readonly name = 'scripted'
	calls: TurnInput[] = []
	finished = 0
	constructor(
		public transcript: string,
		public sentences: string[],
	) {}
	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		this.calls.push(input)
		yield { type: 'transcript', text: input.text ?? this.transcript }
		for (let i = 0; i < this.sentences.length; i++) {
			await Bun.sleep(5)
			if (input.signal.aborted) return
			yield { type: 'sentence', text: this.sentences[i]! }
			yield { type: 'audio', pcm: new Int16Array(2400).fill(i + 1), sampleRate: 24000 }
		}
		this.finished++
	}
}

let opened: OpenedTestDatabase
let store: Store
let fake: FakeOpenAI
let sink: SmtpSink

beforeAll(async () => {
	opened = await openTestDatabase('postgres')
	await migrate(opened.db.sql)
	store = createStore(opened.db, new FieldCipher(randomBytes(32)), randomBytes(32).toString('hex'))
	fake = await startFakeOpenAI({ speech: 'tone' })
	sink = startSmtpSink()
})

afterAll(async () => {
	sink?.stop()
	await fake?.stop()
	await opened?.cleanup()
})

interface Setup {
	moderator?: Moderator
	defaults?: Partial<SafetyDefaults>
	now?: () => number
	mailer?: Mailer
	speak?: SpeakFixed
	family?: NewFamily
	/** The child's country, as the parents package will set it in the profile. */
	country?: string
}

async function setup(inner: Provider, s: Setup = {}) {
	const family = s.family ? await store.safety.families.create(s.family) : null
	const seed = { externalId: randomUUID(), name: 'Mia Smith', age: 6 }
	const child = family
		? await store.children.createInFamily(family.id, seed)
		: await store.devices.upsertSeen(`seed-toy-${randomUUID()}`).then((d) => store.children.upsertForDevice(d.deviceId, seed))
	// Bookkeeping is queued (store/write-backlog.ts); each turn below waits until it is stored.
	const writes = new WriteBacklog({ maxPending: 1000, probe: () => opened.db.sql`select 1`, log })
	const alerts = new ParentAlerts(store.safety.alerts, writes, s.mailer, undefined, 'https://parents.example.test/app')
	const safe = new SafeProvider(inner, {
		store: store.safety,
		writes,
		alerts,
		moderator: s.moderator ?? new NoModerator(),
		defaults: { ...DEFAULTS, ...s.defaults },
		speak: s.speak ?? quickSpeak,
		now: s.now,
	})
	const deviceId = `toy-${randomUUID().slice(0, 8)}`
	// a toy is registered before it talks; usage is only counted for toys (and families) that exist
	await store.devices.upsertSeen(deviceId)
	const startedAt = s.now?.() ?? Date.now()
	let turnIndex = 1
	async function turn(over: Partial<TurnInput> = {}, index = turnIndex++): Promise<ProviderEvent[]> {
		const input: TurnInput = {
			pcm: new Int16Array(16000),
			sampleRate: 16000,
			child: { id: child.id, name: child.name, age: child.age, country: s.country },
			history: [],
			signal: new AbortController().signal,
			session: { id: 's1', deviceId, startedAt, turnIndex: index },
			...over,
		}
		const out: ProviderEvent[] = []
		for await (const ev of safe.answer(input)) out.push(ev)
		await writes.flush(10_000)
		return out
	}
	return { child, family, alerts, writes, safe, deviceId, turn }
}

const sentences = (events: ProviderEvent[]) => events.filter((e) => e.type === 'sentence').map((e) => (e as { text: string }).text)

describe('moderation of answers', () => {
	test('a sentence the moderation model flags is replaced by a redirect, and its text and audio are never yielded', async () => {
		fake.setBehaviour({
			chatAnswer: 'Dragons are very big. Then the dragon stabs the knight with a sword. The end.',
			flaggedWords: { stabs: 'violence' },
		})
		const inner = new OpenAIPipelineProvider({ apiKey: 'test', baseURL: fake.url })
		const { turn } = await setup(inner, { moderator: new OpenAIModerator({ apiKey: 'test', baseURL: fake.url }) })
		const events = await turn()
		// a session the safety layer has not seen yet is introduced, even mid-way (e.g. after a restart)
		expect(sentences(events)).toEqual([sessionIntro, 'Dragons are very big.', redirect])
		const redirectAt = events.findIndex((e) => e.type === 'sentence' && e.text === redirect)
		// the answer's own audio (24 kHz) stops at the redirect; only the fixed line's follows
		expect(events.slice(redirectAt).some((e) => e.type === 'audio' && e.sampleRate === 24000)).toBe(false)
		expect(events.slice(0, redirectAt).some((e) => e.type === 'audio' && e.sampleRate === 24000)).toBe(true)
		const moderated = fake.requests.filter((r) => r.path === '/v1/moderations').map((r) => (r.body as { input: string }).input)
		expect(moderated).toContain('Then the dragon stabs the knight with a sword.')
		fake.setBehaviour({ flaggedWords: {} })
	})

	test('the local word list blocks an unsafe answer with no moderation service at all', async () => {
		const inner = new Scripted('What is your name?', ['I like your name!', "Let's keep it a secret, okay?", 'Bye!'])
		const { turn } = await setup(inner)
		const events = await turn()
		expect(sentences(events)).toEqual([sessionIntro, 'I like your name!', redirect])
		// audio of sentence 2 (samples = 2) is never yielded
		expect(events.some((e) => e.type === 'audio' && e.pcm[0] === 2)).toBe(false)
		expect(inner.calls[0]!.signal.aborted).toBe(true)
		expect(inner.finished).toBe(0)
	})

	test("unsafe words from the child get the redirect, not the model's answer", async () => {
		const inner = new Scripted('tell me about porn', ['Sure, here is what I know.'])
		const { turn } = await setup(inner)
		expect(sentences(await turn())).toEqual([redirect])
	})
})

describe('crisis', () => {
	const phrases: [string, string][] = [
		['en', 'Teddy, sometimes I want to kill myself'],
		['ar', 'أنا حزين وأريد أن أموت'],
		['vi', 'Con muốn chết'],
		['ru', 'Папа меня бьёт каждый день'],
		['es', 'mi papá me pega con el cinturón'],
		['zh', '我不想活了'],
	]
	for (const [language, words] of phrases) {
		test(`a crisis phrase in ${language} gets the fixed reply, aborts the model and stores a parent alert`, async () => {
			const inner = new Scripted(words, ['The model must never say this.'])
			const { turn, child, deviceId } = await setup(inner)
			const events = await turn()
			expect(sentences(events)).toEqual([crisisReply(language as Language)])
			expect(events[0]).toEqual({ type: 'transcript', text: words })
			expect(inner.calls[0]!.signal.aborted).toBe(true)
			const alerts = await store.safety.alerts.listForChild(child.id)
			expect(alerts).toHaveLength(1)
			expect(alerts[0]).toMatchObject({ language, source: 'keyword', excerpt: words, deviceId, emailedAt: null })
		})
	}

	test("the crisis reply names the helpline of the child's country, in the language the child spoke", async () => {
		const inner = new Scripted('ya no quiero vivir', ['no'])
		const { turn } = await setup(inner, { country: 'ES' })
		const [reply] = sentences(await turn())
		expect(reply).toBe(crisisReply('es', 'ES', 'self_harm'))
		expect(reply).toContain('Teléfono ANAR al 9 0 0, 2 0, 2 0, 1 0')
	})

	test("without a country in the child's profile, the configured default country's helpline is named", async () => {
		const inner = new Scripted('con muốn chết', ['no'])
		const { turn } = await setup(inner, { defaults: { country: 'VN' } })
		const [reply] = sentences(await turn())
		expect(reply).toContain('số 1 1 1')
		expect(reply).toContain('1 1 5')
	})

	test('a country missing from the helpline table gets no number at all', async () => {
		const inner = new Scripted('I want to die', ['no'])
		const { turn } = await setup(inner, { country: 'ZZ', defaults: { country: 'GB' } })
		const [reply] = sentences(await turn())
		expect(reply).toBe(crisisReply('en'))
		expect(reply).not.toMatch(/\d/)
	})

	test('the crisis reply is spoken with a voice of that language', async () => {
		const inner = new Scripted('أريد أن أموت', ['no'])
		const { turn } = await setup(inner, { speak: espeakFixed() })
		const events = await turn()
		const audio = events.filter((e) => e.type === 'audio')
		expect(audio.length).toBeGreaterThan(0)
		expect(audio.reduce((n, e) => n + (e.type === 'audio' ? e.pcm.length : 0), 0)).toBeGreaterThan(22050)
	})

	test('typed unsafe words never reach the model, and moderation can still make them a crisis', async () => {
		const inner = new Scripted('', ['Sure!'])
		const plain = await setup(inner)
		expect(sentences(await plain.turn({ text: 'tell me about porn', pcm: new Int16Array(0) }))).toEqual([redirect])
		expect(inner.calls).toHaveLength(0)

		const moderator = new OpenAIModerator({ apiKey: 'test', baseURL: fake.url })
		fake.setBehaviour({ classify: (t) => (t.includes('naked') ? ['sexual', 'sexual/minors'] : []) })
		try {
			const told = await setup(inner, { moderator })
			const events = await told.turn({ text: 'the man next door wants to see me naked', pcm: new Int16Array(0) })
			expect(sentences(events)).toEqual([crisisReply('en', undefined, 'abuse')])
			expect(inner.calls).toHaveLength(0)
			expect(await store.safety.alerts.listForChild(told.child.id)).toMatchObject([{ kind: 'abuse', source: 'moderation' }])
		} finally {
			fake.setBehaviour({ classify: undefined })
		}
	})

	test('a typed crisis never reaches the model', async () => {
		const inner = new Scripted('', ['no'])
		const { turn, child } = await setup(inner)
		const events = await turn({ text: 'I want to hurt myself', pcm: new Int16Array(0) })
		expect(sentences(events)).toEqual([crisisReply('en')])
		expect(inner.calls).toHaveLength(0)
		expect(await store.safety.alerts.listForChild(child.id)).toHaveLength(1)
	})

	test("the moderation model's self-harm category is a crisis even without a keyword", async () => {
		// ? Worded so that no local list catches it: only the moderation model does.
		fake.setBehaviour({ flaggedWords: { 'float away': 'self-harm/intent' } })
		const inner = new Scripted('I wish I could float away and never come back', ['Me too!'])
		const { turn, child } = await setup(inner, { moderator: new OpenAIModerator({ apiKey: 'test', baseURL: fake.url }) })
		expect(sentences(await turn())).toEqual([crisisReply('en')])
		const [alert] = await store.safety.alerts.listForChild(child.id)
		expect(alert).toMatchObject({ kind: 'self_harm', source: 'moderation' })
		fake.setBehaviour({ flaggedWords: {} })
	})

	test("a child telling of violence that only moderation catches gets the crisis reply and an alert; asking for violence is redirected", async () => {
		// ? Worded so that no local list catches it. Moderation has no "abuse" category: a child telling
		// of being hurt or threatened is flagged `violence` (or `harassment/threatening`).
		const moderator = new OpenAIModerator({ apiKey: 'test', baseURL: fake.url })
		fake.setBehaviour({
			classify: (t) =>
				t.includes('bruises')
					? ['violence']
					: t.includes('naked')
						? ['sexual', 'sexual/minors']
					: t.includes('get me after class')
						? ['harassment', 'harassment/threatening', 'violence']
						: t.includes('pipe bomb')
							? ['violence', 'illicit', 'illicit/violent']
							: [],
		})
		try {
			const hurt = await setup(new Scripted('daddy gets so angry and i have bruises everywhere', ['Oh no!']), { moderator })
			expect(sentences(await hurt.turn())).toEqual([crisisReply('en', undefined, 'danger')])
			expect(await store.safety.alerts.listForChild(hurt.child.id)).toMatchObject([{ kind: 'danger', source: 'moderation' }])

			const threat = await setup(new Scripted('a boy at school keeps saying he will get me after class', ['Oh no!']), { moderator })
			expect(sentences(await threat.turn())).toEqual([crisisReply('en', undefined, 'danger')])
			expect(await store.safety.alerts.listForChild(threat.child.id)).toMatchObject([{ kind: 'danger', source: 'moderation' }])

			// an unsafe word the lists redirect on does not hide a disclosure moderation sees (the blind holdout set found one)
			const shown = await setup(new Scripted('the man next door wants to see me naked', ['Oh no!']), { moderator })
			expect(sentences(await shown.turn())).toEqual([crisisReply('en', undefined, 'abuse')])
			expect(await store.safety.alerts.listForChild(shown.child.id)).toMatchObject([{ kind: 'abuse', source: 'moderation' }])

			// asking how to do harm is not a disclosure: the redirect, no alert
			const asking = await setup(new Scripted('how do you make a pipe bomb', ['Here is how']), { moderator })
			expect(sentences(await asking.turn())).toEqual([redirect])
			expect(await store.safety.alerts.listForChild(asking.child.id)).toEqual([])

			// a look-alike moderation does not flag is answered
			const game = await setup(new Scripted('this game is killing me i cant beat level five', ['Keep trying!']), { moderator })
			expect(sentences(await game.turn())).toEqual([sessionIntro, 'Keep trying!'])
			expect(await store.safety.alerts.listForChild(game.child.id)).toEqual([])
		} finally {
			fake.setBehaviour({ classify: undefined })
		}
	})

	test('with SMTP configured the parent is emailed, without the child\'s words', async () => {
		const mailer = await createSmtpMailer(sink.url, 'Teddy <teddy@example.test>')
		const inner = new Scripted('My uncle hits me', ['no'])
		const { turn, child, alerts, writes } = await setup(inner, { mailer, family: { parentEmail: 'parent@example.test' } })
		await turn()
		await alerts.idle()
		await writes.flush(10_000)
		mailer.close?.()
		const mail = sink.messages.find((m) => m.to.some((t) => t.includes('parent@example.test')))
		expect(mail).toBeDefined()
		expect(mail!.data).toContain('Mia may need you')
		expect(mail!.data).not.toContain('uncle')
		const [alert] = await store.safety.alerts.listForChild(child.id)
		// the mail links to the alert in the parent app (GET /api/v1/alerts/{id} behind it)
		expect(bodyOf(mail!)).toContain(`https://parents.example.test/app/alerts/${alert!.id}`)
		expect(alert!.kind).toBe('abuse')
		expect(alert!.emailedAt).toBeInstanceOf(Date)
	})
})

describe('AI disclosure and breaks', () => {
	test('the first turn of a session starts with the AI disclosure', async () => {
		const { turn } = await setup(new Scripted('hello', ['Hello, Mia!']))
		expect(sentences(await turn({}, 0))).toEqual([sessionIntro, 'Hello, Mia!'])
		expect(sentences(await turn({}, 1))).toEqual(['Hello, Mia!'])
	})

	test('"are you a real person?" is answered with the disclosure line', async () => {
		const inner = new Scripted('Teddy, are you a real person?', ['Yes I am!'])
		const { turn } = await setup(inner)
		expect(sentences(await turn())).toEqual([disclosure.en])
		expect(inner.calls[0]!.signal.aborted).toBe(true)
	})

	test('a break reminder comes once per play-time period', async () => {
		let now = Date.UTC(2025, 5, 1, 9, 0)
		const { turn } = await setup(new Scripted('hi', ['Hi!']), { now: () => now })
		expect(sentences(await turn({}, 0))).toEqual([sessionIntro, 'Hi!'])
		now += 60 * 60_000
		expect(sentences(await turn())).toEqual(['Hi!'])
		now += 121 * 60_000
		expect(sentences(await turn())).toEqual([breakReminder, 'Hi!'])
		now += 10 * 60_000
		expect(sentences(await turn())).toEqual(['Hi!'])
		now += 180 * 60_000
		expect(sentences(await turn())).toEqual([breakReminder, 'Hi!'])
	})

	test("a family's shorter play time brings the reminder sooner", async () => {
		let now = Date.UTC(2025, 5, 1, 9, 0)
		const { turn } = await setup(new Scripted('hi', ['Hi!']), { now: () => now, family: { playReminderMinutes: 30 } })
		await turn({}, 0)
		now += 31 * 60_000
		expect(sentences(await turn())).toEqual([breakReminder, 'Hi!'])
	})
})

describe('limits', () => {
	test('over the daily budget the toy says goodnight and the model is not called', async () => {
		const inner = new Scripted('hi', ['Hi!'])
		const { turn } = await setup(inner, { family: { dailyTokenBudget: 50 } })
		expect(sentences(await turn())).toEqual([sessionIntro, 'Hi!'])
		expect(sentences(await turn())).toEqual([budgetLine])
		expect(inner.calls).toHaveLength(1)
	})

	test('in quiet hours the toy says goodnight without calling the model', async () => {
		const inner = new Scripted('hi', ['Hi!'])
		const { turn } = await setup(inner, {
			now: () => Date.UTC(2025, 5, 1, 22, 0),
			family: { timezone: 'UTC', quietHours: { startMinute: 20 * 60, endMinute: 7 * 60 } },
		})
		expect(sentences(await turn())).toEqual([quietHoursLine])
		expect(inner.calls).toHaveLength(0)
	})

	test('after the daily time limit the toy says so', async () => {
		const inner = new Scripted('hi', ['Hi!'])
		const { turn } = await setup(inner, { family: { dailyLimitMinutes: 1 } })
		await turn({ pcm: new Int16Array(16000 * 61) })
		expect(sentences(await turn())).toEqual([dailyLimitLine])
		expect(inner.calls).toHaveLength(1)
	})

	test('usage is counted per device and per family per day', async () => {
		const now = Date.UTC(2025, 5, 1, 12, 0)
		const { turn, deviceId, family } = await setup(new Scripted('hello there', ['Hi!', 'How are you?']), {
			now: () => now,
			family: {},
		})
		await turn()
		await turn()
		const device = await store.safety.usage.get('device', deviceId, '2025-06-01')
		const fam = await store.safety.usage.get('family', family!.id, '2025-06-01')
		expect(device.turns).toBe(2)
		expect(device.tokensIn).toBeGreaterThan(100)
		expect(device.tokensOut).toBe(2 * (Math.ceil(3 / 4) + Math.ceil(12 / 4)))
		// the scripted provider reports no usage, so all of it is the estimate, and the row says so
		expect(device.tokensEstimated).toBe(device.tokensIn + device.tokensOut)
		expect(device.audioInMs).toBe(2000)
		// two sentences of 100 ms per turn, and the 100 ms session intro once
		expect(device.audioOutMs).toBe(2 * 2 * 100 + 100)
		expect(fam).toEqual(device)
	})
})

describe('memory and the learning programme', () => {
	test('the summary is stored encrypted and handed to the next turn', async () => {
		const inner = new Scripted('My dog is called Biscuit', ['What a lovely name!'])
		const { turn, child } = await setup(inner)
		await turn()
		expect(await store.safety.summaries.get(child.id)).toContain('My dog is called Biscuit')
		const [row] = await opened.db.sql<{ ciphertext: Uint8Array }[]>`select ciphertext from child_summaries where child_id = ${child.id}`
		expect(Buffer.from(row!.ciphertext).includes('Biscuit')).toBe(false)
		await turn()
		expect(inner.calls[1]!.history[0]!.text).toContain('My dog is called Biscuit')
	})

	test("the current episode's lesson reaches the model, and six answered turns move the child on", async () => {
		const inner = new Scripted('hi', ['Hi!'])
		const { turn, child } = await setup(inner)
		for (let i = 0; i < 6; i++) await turn()
		await turn()
		const [first] = await opened.db.sql<{ lesson_goal: string }[]>`select lesson_goal from episodes where id = 1`
		const [second] = await opened.db.sql<{ lesson_goal: string }[]>`select lesson_goal from episodes where id = 2`
		expect(inner.calls[0]!.child.lesson).toBe(first!.lesson_goal)
		expect(inner.calls[6]!.child.lesson).toBe(second!.lesson_goal)
		const progress = await store.safety.programme.current(child.id, child.age)
		expect(progress).toMatchObject({ turnsInEpisode: 1, episodesCompleted: 1 })
	})
})
