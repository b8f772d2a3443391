import { randomUUID } from 'node:crypto'
import type { Sql } from 'postgres'
import type { CircuitBreaker } from '../../gateway/src/ai/circuit-breaker'
import type { FixedLines } from '../../gateway/src/ai/fixed-lines'
import { OfflineProvider } from '../../gateway/src/ai/offline'
import { OpenAIPipelineProvider } from '../../gateway/src/ai/openai-pipeline'
import { OpenAIRealtimeProvider } from '../../gateway/src/ai/openai-realtime'
import type { Provider } from '../../gateway/src/ai/provider'
import { ResilientProvider } from '../../gateway/src/ai/resilient-provider'
import type { Codec } from '../../gateway/src/codec'
import type { PolicyClassifier } from '../../gateway/src/safety/answer-policy'
import type { SafetyIdentifiers } from '../../gateway/src/safety/safety-identifier'
import { OpenAIModerator } from '../../gateway/src/safety/moderation'
import { ParentAlerts } from '../../gateway/src/safety/parent-alerts'
import { SafeProvider } from '../../gateway/src/safety/safe-provider'
import { cachedFixed } from '../../gateway/src/safety/speak-fixed'
import type { Store } from '../../gateway/src/store/index'
import { WriteBacklog } from '../../gateway/src/store/write-backlog'
import { log } from '../../gateway/src/obs/logger'
import type { FakeOpenAI } from './fake-openai'
import type { FakeRealtime } from './fake-openai-realtime'
import { recordingSession } from './recording-session'

// The gateway's answering stack, built as gateway.ts builds it, on the fake OpenAI APIs: safety
// around the resilient wrapper around a real provider, moderation on the fake, fixed lines from
// the Opus cache, and a recording Session in front, so a test sees what a toy would be told.

export interface StackOptions {
	mode: 'realtime' | 'pipeline'
	codec: Codec
	lines: FixedLines
	store: Store
	/** The test database, which the write backlog probes. */
	sql: Sql
	rest: FakeOpenAI
	rt?: FakeRealtime
	firstAudioTimeoutMs?: number
	upstreamTimeoutMs?: number
	retries?: number
	/** Shared by the resilient wrapper and moderation, as in the gateway. */
	circuit?: CircuitBreaker
	/** The answer policy (default: the offline patterns). */
	policy?: PolicyClassifier
	identifiers?: SafetyIdentifiers
	/** Called with every provider made, so a test can close Realtime sockets. */
	made?: (p: Provider) => void
}

// Every toy's write backlog, so a suite can let queued bookkeeping land before its database goes.
const backlogs: WriteBacklog[] = []

/** Waits for every toy's queued writes (call before closing the database). */
export async function flushWrites(): Promise<void> {
	await Promise.all(backlogs.splice(0).map((w) => w.flush(5_000)))
}

export async function safeToy(o: StackOptions, familyId?: string) {
	const deviceId = `toy-${randomUUID().slice(0, 8)}`
	// a toy is registered before it talks; usage is only counted for toys (and families) that exist
	await o.store.devices.upsertSeen(deviceId)
	const seed = { externalId: randomUUID(), name: 'Mia Smith', age: 6 }
	const child = familyId ? await o.store.children.createInFamily(familyId, seed) : await o.store.children.upsertForDevice(deviceId, seed)
	const primary: Provider =
		o.mode === 'realtime'
			? new OpenAIRealtimeProvider({ apiKey: 'test', baseURL: o.rt!.url, codec: o.codec })
			: new OpenAIPipelineProvider({ apiKey: 'test', baseURL: o.rest.url, codec: o.codec, maxRetries: 0 })
	o.made?.(primary)
	const resilient = new ResilientProvider({
		primary,
		fallback: new OfflineProvider(),
		lines: o.lines,
		firstAudioTimeoutMs: o.firstAudioTimeoutMs,
		upstreamTimeoutMs: o.upstreamTimeoutMs,
		retries: o.retries,
		breaker: o.circuit,
	})
	// Bookkeeping is queued as in the gateway; `writes.flush()` waits until it is stored.
	const writes = new WriteBacklog({ maxPending: 1000, probe: () => o.sql`select 1`, log })
	backlogs.push(writes)
	const safe = new SafeProvider(resilient, {
		store: o.store.safety,
		writes,
		alerts: new ParentAlerts(o.store.safety.alerts, writes, undefined),
		moderator: new OpenAIModerator({ apiKey: 'test', baseURL: o.rest.url, circuit: o.circuit }),
		policy: o.policy,
		identifiers: o.identifiers,
		defaults: { timezone: 'UTC', dailyTokenBudget: 0, dailyLimitMinutes: 0, quietHours: null, playReminderMinutes: 180, allowedTools: [] },
		speak: cachedFixed(o.lines),
		fillerAfterMs: o.firstAudioTimeoutMs,
	})
	return { ...recordingSession(o.codec, safe, deviceId, { id: child.id, name: 'Mia Smith', age: 6 }), child, deviceId, resilient, writes }
}

export async function until(cond: () => boolean, ms = 20_000): Promise<void> {
	const deadline = Date.now() + ms
	while (!cond() && Date.now() < deadline) await Bun.sleep(10)
}

/** A spoken turn: one second of loud 16 kHz PCM, then the end of the child's turn; returns when it ended. */
export function speak(session: ReturnType<typeof recordingSession>['session']): number {
	session.beginListening('pcm16', 16000)
	for (let i = 0; i < 17; i++) {
		const pcm = new Int16Array(960).map((_, j) => Math.round(6000 * Math.sin((i * 960 + j) / 4)))
		session.pushAudio(new Uint8Array(pcm.buffer))
	}
	const t = performance.now()
	session.endListening()
	return t
}

export const sentencesOf = (calls: readonly string[]) => calls.filter((c) => c.startsWith('sentence:')).map((c) => c.slice(9))
