import { afterAll, beforeAll, expect, test } from 'bun:test'
import { randomBytes, randomUUID } from 'node:crypto'
import type { Provider, ProviderEvent, TurnInput } from '../../gateway/src/ai/provider'
import { NoModerator } from '../../gateway/src/safety/moderation'
import { ParentAlerts } from '../../gateway/src/safety/parent-alerts'
import { SafeProvider } from '../../gateway/src/safety/safe-provider'
import type { SpeakFixed } from '../../gateway/src/safety/speak-fixed'
import { ResumeCache } from '../../gateway/src/session/resume-cache'
import { createStore, FieldCipher, migrate, type Store } from '../../gateway/src/store/index'
import { WriteBacklog } from '../../gateway/src/store/write-backlog'
import { log } from '../../gateway/src/obs/logger'
import { type OpenedTestDatabase, openTestDatabase } from '../support/databases'

// Deleting a child's data reaches what the running gateway holds in memory: the safety layer's
// cached context (the toy's memory of the child, fed to the model as notes) and a disconnected
// toy's parked conversation. Seen from the outside: what the model is given on the next turn.

/** Answers with one sentence and remembers what it was given. */
class Recorder implements Provider {
	readonly name = 'recorder'
	calls: TurnInput[] = []
	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		this.calls.push(input)
		yield { type: 'transcript', text: input.text ?? '' }
		yield { type: 'sentence', text: 'Okay!' }
	}
}

const quiet: SpeakFixed = async function* (text) {
	yield { type: 'sentence', text }
}

let opened: OpenedTestDatabase
let store: Store

beforeAll(async () => {
	opened = await openTestDatabase('postgres')
	await migrate(opened.db.sql)
	store = createStore(opened.db, new FieldCipher(randomBytes(32)), randomBytes(32).toString('hex'))
})
afterAll(async () => {
	await opened?.cleanup()
})

test('after forgetChild the model no longer gets the deleted child’s memory', async () => {
	const toy = await store.devices.upsertSeen(`forget-toy-${randomUUID().slice(0, 8)}`)
	const child = await store.children.upsertForDevice(toy.deviceId, { externalId: randomUUID(), name: 'Mia', age: 6 })
	const writes = new WriteBacklog({ maxPending: 100, probe: () => opened.db.sql`select 1`, log })
	await store.safety.summaries.put(child.id, '- I love dinosaurs', 4)
	const inner = new Recorder()
	const safe = new SafeProvider(inner, {
		store: store.safety,
		writes,
		alerts: new ParentAlerts(store.safety.alerts, writes, undefined),
		moderator: new NoModerator(),
		defaults: { timezone: 'UTC', dailyTokenBudget: 0, dailyLimitMinutes: 0, quietHours: null, playReminderMinutes: 180, allowedTools: [] },
		speak: quiet,
	})
	const turn = async () => {
		for await (const _ of safe.answer({
			pcm: new Int16Array(0),
			sampleRate: 16000,
			text: 'hello',
			child: { id: child.id, name: 'Mia', age: 6 },
			history: [],
			signal: new AbortController().signal,
		}));
		return inner.calls.at(-1)!.history.map((h) => h.text).join('\n')
	}
	expect(await turn()).toContain('dinosaurs')
	// the rows go (as the parent side's erasure does), and the cache is told
	await opened.db.sql`delete from children where id = ${child.id}`
	expect(await turn()).toContain('dinosaurs') // ! what a stale cache would keep saying
	safe.forgetChild(child.id)
	expect(await turn()).not.toContain('dinosaurs')
})

test('a dropped device’s parked conversation is not resumed', () => {
	const resume = new ResumeCache()
	resume.park('toy-1', { history: [{ role: 'child', text: 'my secret' }], startedAt: 1, turns: 1 })
	resume.drop('toy-1')
	expect(resume.take('toy-1')).toBeUndefined()
})
