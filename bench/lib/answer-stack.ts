import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CircuitBreaker, createProvider, EspeakTts, OfflineProvider, OpenAIPipelineProvider, ResilientProvider } from '../../gateway/src/ai'
import { FixedLines } from '../../gateway/src/ai/fixed-lines'
import type { ChildProfile, Provider } from '../../gateway/src/ai/provider'
import type { Codec } from '../../gateway/src/codec'
import { type Config, loadConfig } from '../../gateway/src/config'
import { createLogger, log as gatewayLog } from '../../gateway/src/obs/logger'
import { createSafety, type SafetyParts } from '../../gateway/src/safety/create-safety'
import { SafetyIdentifiers } from '../../gateway/src/safety/safety-identifier'
import { cachedFixed } from '../../gateway/src/safety/speak-fixed'
import { createStore, type Database, FieldCipher, migrate, openDatabase, type Store } from '../../gateway/src/store/index'
import { WriteBacklog } from '../../gateway/src/store/write-backlog'

// The answering stack of bench/answer-latency.ts, built as gateway.ts builds it: the child-safety
// SafeProvider (createSafety, local moderation: the offline word lists and answer patterns) around
// the resilient wrapper around the OpenAI pipeline provider, fixed lines from the Opus cache, the
// safety bookkeeping queued to a real store (embedded PGlite, migrated) for a registered toy.
// Not wrapped in TimedProvider: that only records stage timestamps for the metrics endpoint.

export const log = createLogger('silent')
// ? The modules' shared logger, quieted as main.ts sets its level: the store's start-up lines and
//   the safety layer's notes would otherwise fill the report.
gatewayLog.level = 'error'

export interface BenchStore {
	config: Config
	store: Store
	writes: WriteBacklog
	close(): Promise<void>
}

export async function openBenchStore(): Promise<BenchStore> {
	const dataDir = mkdtempSync(join(tmpdir(), 'teddy-answer-bench-'))
	// ? Defaults as a fresh gateway has them, but moderation local (no OpenAI moderation round trip)
	//   and no daily token budget: a thousand turns of one toy would spend it and hear "goodnight"
	//   (the budget is still checked every turn).
	const config = loadConfig({ DATA_DIR: dataDir, MODERATION: 'local', DAILY_TOKEN_BUDGET: '0', PATH: process.env.PATH })
	const db: Database = await openDatabase({ dataDir })
	await migrate(db.sql)
	const store = createStore(db, new FieldCipher(randomBytes(32)), randomBytes(32).toString('hex'))
	const writes = new WriteBacklog({ maxPending: 100_000, probe: () => db.sql`select 1`, log })
	return {
		config,
		store,
		writes,
		async close() {
			await writes.flush(10_000)
			await db.close()
			rmSync(dataDir, { recursive: true, force: true })
		},
	}
}

/** A toy registered as the gateway registers one on connect, and its child. */
export async function benchToy(store: Store): Promise<{ deviceId: string; child: ChildProfile }> {
	const deviceId = `bench-${randomUUID().slice(0, 8)}`
	await store.devices.upsertSeen(deviceId)
	const child = await store.children.upsertForDevice(deviceId, { externalId: randomUUID(), name: 'Ada', age: 7 })
	return { deviceId, child: { id: child.id, name: 'Ada', age: 7 } }
}

export type AnswerForm = 'ogg' | 'pcm24'

export interface Stack {
	provider: SafetyParts['provider']
	close(): Promise<void>
}

/**
 * `inner` given: it answers (the end-of-speech rows). Otherwise the OpenAI pipeline at `baseURL`:
 * `ogg` exactly as createProvider makes it (the speech API's Ogg Opus, repacketized for an Opus
 * toy); `pcm24` the same wrapper with the pipeline given no codec, so it asks for 24 kHz PCM and
 * the gateway encodes (the form a toy gets when Opus cannot pass, and the gateway's older path).
 */
export async function answerStack(bs: BenchStore, codec: Codec, opts: { form?: AnswerForm; baseURL?: string; inner?: Provider }): Promise<Stack> {
	const { config } = bs
	const circuit = new CircuitBreaker({ failureThreshold: config.ai.circuitFailures, cooldownMs: config.ai.circuitCooldownMs })
	const tts = new EspeakTts({ binary: config.espeakBinary })
	const lines = new FixedLines({ codec, tts })
	await lines.warm()
	let upstream: Provider
	if (opts.inner) {
		upstream = new ResilientProvider({ primary: opts.inner, fallback: new OfflineProvider({ tts }), lines, firstAudioTimeoutMs: config.ai.firstAudioTimeoutMs, breaker: circuit })
	} else if (opts.form === 'ogg') {
		upstream = createProvider({ openaiApiKey: 'bench', openaiBaseUrl: opts.baseURL, codec, ai: config.ai, tts, circuit })
	} else {
		upstream = new ResilientProvider({
			primary: new OpenAIPipelineProvider({ apiKey: 'bench', baseURL: opts.baseURL, maxRetries: 0 }),
			fallback: new OfflineProvider({ tts }),
			lines,
			firstAudioTimeoutMs: config.ai.firstAudioTimeoutMs,
			upstreamTimeoutMs: config.ai.upstreamTimeoutMs,
			retries: config.ai.retries,
			breaker: circuit,
		})
	}
	const safety = await createSafety(upstream, config, bs.store.safety, bs.writes, log, {
		speak: cachedFixed(lines),
		circuit,
		identifiers: new SafetyIdentifiers(randomBytes(32).toString('hex')),
	})
	return { provider: safety.provider, close: () => safety.close() }
}
