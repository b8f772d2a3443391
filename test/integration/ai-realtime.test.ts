import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { ProviderError } from '../../gateway/src/ai/errors'
import { FixedLines } from '../../gateway/src/ai/fixed-lines'
import { OfflineProvider } from '../../gateway/src/ai/offline'
import { OpenAIRealtimeProvider, type OpenAIRealtimeOptions } from '../../gateway/src/ai/openai-realtime'
import type { Provider, ProviderEvent, TurnInput } from '../../gateway/src/ai/provider'
import { ResilientProvider } from '../../gateway/src/ai/resilient-provider'
import { loadCodec } from '../../gateway/src/codec'
import { type FakeRealtime, startFakeRealtime } from '../support/fake-openai-realtime'
import { collect } from '../support/collect'
import { recordingSession } from '../support/recording-session'

// The Realtime provider against a fake of the GA Realtime WebSocket API, through the SDK's own
// OpenAIRealtimeWebSocket: a full spoken turn, typed turns, server VAD, and barge-in that leaves
// the model remembering only what the child heard. Then the streaming uplink through a real
// Session: the child's audio reaches the API while the child is still speaking.

const ANSWER = 'Hello there, little friend! Dragons love to bake cookies.'
let fake: FakeRealtime
const providers: OpenAIRealtimeProvider[] = []

beforeAll(async () => {
	fake = await startFakeRealtime()
})
afterAll(async () => {
	for (const p of providers) await p.close()
	await fake.stop()
})
beforeEach(() => {
	fake.setBehaviour({ answer: ANSWER, transcript: 'Tell me about dragons', firstAudioMs: 0, betweenChunksMs: 0, chunkMs: 100 })
})

function provider(extra: Partial<OpenAIRealtimeOptions> = {}) {
	const p = new OpenAIRealtimeProvider({ apiKey: 'test-key', baseURL: fake.url, ...extra })
	providers.push(p)
	return p
}

function turn(extra: Partial<TurnInput> = {}): TurnInput {
	// One second of "speech" at 16 kHz: loud enough for the fake's server VAD.
	const pcm = new Int16Array(16000).map((_, i) => Math.round(6000 * Math.sin(i / 4)))
	return {
		pcm,
		sampleRate: 16000,
		child: { id: 'c1', name: 'Lena Fischer', age: 6 },
		history: [],
		signal: new AbortController().signal,
		session: { id: crypto.randomUUID(), deviceId: 'toy', startedAt: Date.now(), turnIndex: 0 },
		...extra,
	}
}


const audioMs = (events: ProviderEvent[]) => events.reduce((n, e) => n + (e.type === 'audio' ? (e.pcm.length / e.sampleRate) * 1000 : 0), 0)
const types = (c: { received: Array<{ type: string }> }) => c.received.map((e) => e.type)

describe('OpenAIRealtimeProvider against the fake Realtime API', () => {
	test('a spoken turn: session configured, audio appended at 24 kHz, answer streamed with its transcript', async () => {
		const n = fake.connections.length
		const events = await collect(provider().answer(turn()))
		const conn = fake.connections[n]
		expect(conn.model).toBe('gpt-realtime-mini')
		expect(types(conn)).toEqual(['session.update', 'input_audio_buffer.append', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'response.create'])
		const session = conn.received[0].session as Record<string, any>
		expect(session.type).toBe('realtime')
		expect(session.instructions).toContain('Lena')
		expect(session.instructions).not.toContain('Fischer')
		expect(session.audio.input.format).toEqual({ type: 'audio/pcm', rate: 24000 })
		expect(session.audio.input.turn_detection).toBeNull()
		expect(session.audio.input.transcription.model).toBe('gpt-4o-mini-transcribe')
		expect(session.audio.output.voice).toBe('alloy')
		// 1 s at 16 kHz arrives as 1 s at 24 kHz
		const appended = conn.received.filter((e) => e.type === 'input_audio_buffer.append').reduce((s, e) => s + Buffer.from(e.audio as string, 'base64').length / 2, 0)
		expect(Math.abs(appended - 24000)).toBeLessThan(50)

		expect(events.find((e) => e.type === 'transcript')).toEqual({ type: 'transcript', text: 'Tell me about dragons' })
		const sentences = events.flatMap((e) => (e.type === 'sentence' ? [e.text] : []))
		expect(sentences).toEqual(['Hello there, little friend!', 'Dragons love to bake cookies.'])
		expect(events.filter((e) => e.type === 'audio').every((e) => e.type === 'audio' && e.sampleRate === 24000)).toBe(true)
		expect(Math.round(audioMs(events))).toBe(ANSWER.length * 60)
	})

	test('a typed turn becomes a user text item', async () => {
		const n = fake.connections.length
		const events = await collect(provider().answer(turn({ text: 'Sing a song', pcm: new Int16Array(0) })))
		expect(events[0]).toEqual({ type: 'transcript', text: 'Sing a song' })
		const create = fake.connections[n].received.find((e) => e.type === 'conversation.item.create') as Record<string, any>
		expect(create.item).toEqual({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Sing a song' }] })
		expect(audioMs(events)).toBeGreaterThan(1000)
	})

	test('turns of one toy share a socket; a new socket is told the history', async () => {
		const p = provider()
		const n = fake.connections.length
		const t = turn({ history: [{ role: 'child', text: 'I like cats' }, { role: 'assistant', text: 'Cats are lovely!' }] })
		await collect(p.answer(t))
		await collect(p.answer({ ...t, text: 'again', session: { ...t.session!, turnIndex: 1 } }))
		expect(fake.connections.length).toBe(n + 1)
		const items = fake.connections[n].received.filter((e) => e.type === 'conversation.item.create').map((e) => (e.item as Record<string, any>).content[0])
		expect(items).toEqual([
			{ type: 'input_text', text: 'I like cats' },
			{ type: 'output_text', text: 'Cats are lovely!' },
			{ type: 'input_text', text: 'again' },
		])
	})

	test('barge-in cancels the response and truncates the item to the audio the child heard', async () => {
		// The model speaks 5x faster than real time, so far more is yielded than heard.
		fake.setBehaviour({ chunkMs: 100, betweenChunksMs: 20 })
		const p = provider()
		const ctl = new AbortController()
		const t = turn({ signal: ctl.signal })
		const n = fake.connections.length
		let firstAudioAt = 0
		let yielded = 0
		for await (const e of p.answer(t)) {
			if (e.type !== 'audio') continue
			if (!firstAudioAt) {
				firstAudioAt = performance.now()
				setTimeout(() => ctl.abort(), 200)
			}
			yielded += (e.pcm.length / 24000) * 1000
		}
		const elapsed = performance.now() - firstAudioAt
		const conn = fake.connections[n]
		await Bun.sleep(100)
		expect(types(conn)).toContain('response.cancel')
		const trunc = conn.received.find((e) => e.type === 'conversation.item.truncate') as Record<string, any>
		expect(trunc.content_index).toBe(0)
		// heard = time since first audio + the 300 ms burst, well short of what was yielded
		expect(trunc.audio_end_ms).toBeGreaterThanOrEqual(490)
		expect(trunc.audio_end_ms).toBeLessThanOrEqual(elapsed + 300)
		expect(trunc.audio_end_ms).toBeLessThan(yielded)
		const item = conn.items.find((i) => i.id === trunc.item_id)!
		expect(item.truncatedAt).toBe(trunc.audio_end_ms)
		expect(item.text).toBe('') // the unheard transcript is gone from the model's memory

		// the next turn on the same socket is answered (no "active response" error)
		fake.setBehaviour({ betweenChunksMs: 0 })
		const next = await collect(p.answer({ ...t, signal: new AbortController().signal, text: 'what now?' }))
		expect(audioMs(next)).toBe(ANSWER.length * 60)
		expect(fake.connections.length).toBe(n + 1)
	})

	test('barge-in after the whole answer arrived, while it still plays, still truncates', async () => {
		const ctl = new AbortController()
		const n = fake.connections.length
		let firstAudioAt = 0
		for await (const e of provider().answer(turn({ signal: ctl.signal }))) {
			if (e.type === 'audio' && !firstAudioAt) {
				firstAudioAt = performance.now()
				setTimeout(() => ctl.abort(), 400)
			}
		}
		// the iterator stayed open until the abort, not until the 3.4 s answer had played
		expect(performance.now() - firstAudioAt).toBeLessThan(1000)
		await Bun.sleep(50)
		const conn = fake.connections[n]
		// the response had ended, but a cancel is sent anyway (one may be in flight) and is harmless
		expect(types(conn)).toContain('response.cancel')
		const trunc = conn.received.find((e) => e.type === 'conversation.item.truncate') as Record<string, any>
		expect(trunc.audio_end_ms).toBeGreaterThanOrEqual(690)
		expect(trunc.audio_end_ms).toBeLessThan(1000)
	})

	test('truncation never claims more than was yielded when playback keeps up', async () => {
		fake.setBehaviour({ chunkMs: 100, betweenChunksMs: 100 })
		const ctl = new AbortController()
		const n = fake.connections.length
		let yielded = 0
		for await (const e of provider().answer(turn({ signal: ctl.signal }))) {
			if (e.type === 'audio') yielded += (e.pcm.length / 24000) * 1000
			if (yielded >= 300) ctl.abort()
		}
		await Bun.sleep(100)
		const trunc = fake.connections[n].received.find((e) => e.type === 'conversation.item.truncate') as Record<string, any>
		expect(trunc.audio_end_ms).toBe(Math.floor(yielded))
		expect(fake.connections[n].items.find((i) => i.id === trunc.item_id)!.truncatedAt).toBe(trunc.audio_end_ms)
	})

	test('server VAD mode lets the API end the turn and answer', async () => {
		const n = fake.connections.length
		const events = await collect(provider({ vad: 'server' }).answer(turn()))
		const conn = fake.connections[n]
		expect((conn.received[0].session as Record<string, any>).audio.input.turn_detection.type).toBe('server_vad')
		expect(types(conn)).not.toContain('input_audio_buffer.commit')
		expect(types(conn)).not.toContain('response.create')
		expect(events.find((e) => e.type === 'transcript')).toBeDefined()
		expect(Math.round(audioMs(events))).toBe(ANSWER.length * 60)
	})

	test('an error event fails the turn with a ProviderError, and the next turn reconnects', async () => {
		const p = provider()
		const t = turn({ text: 'hi' })
		fake.failNextResponses(1)
		const n = fake.connections.length
		await expect(collect(p.answer(t))).rejects.toBeInstanceOf(ProviderError)
		const events = await collect(p.answer(t))
		expect(audioMs(events)).toBeGreaterThan(0)
		expect(fake.connections.length).toBe(n + 2)
	})

	test('an unreachable server is a ProviderError, not a hang', async () => {
		const p = provider({ baseURL: 'http://127.0.0.1:1/v1', connectTimeoutMs: 1000 })
		await expect(collect(p.answer(turn({ text: 'hi' })))).rejects.toBeInstanceOf(ProviderError)
	})
})

const codec = loadCodec()
// 60 ms of 16 kHz pcm16 per frame, as a toy sends it; `loud` is speech for the fake's server VAD.
function frame(loud: boolean, index: number): Uint8Array {
	const pcm = new Int16Array(960).map((_, i) => (loud ? Math.round(6000 * Math.sin((index * 960 + i) / 4)) : 0))
	return new Uint8Array(pcm.buffer)
}

function streamingSession(p: Provider) {
	return recordingSession(codec, p, 'streaming-toy', { id: 'c1', name: 'Lena', age: 6 })
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
	const deadline = Date.now() + ms
	while (!cond() && Date.now() < deadline) await Bun.sleep(10)
}

const appended = (c: { received: Array<{ type: string } & Record<string, unknown>> }) =>
	c.received.filter((e) => e.type === 'input_audio_buffer.append').reduce((s, e) => s + Buffer.from(e.audio as string, 'base64').length / 2, 0)
const count = (c: { received: Array<{ type: string }> }, type: string) => c.received.filter((e) => e.type === type).length

describe('streaming uplink through a Session', () => {
	test('speech is appended in ~100 ms events while the child speaks; the turn end only commits', async () => {
		const n = fake.connections.length
		const { session, calls, frames } = streamingSession(provider({ codec }))
		session.beginListening('pcm16', 16000)
		for (let i = 0; i < 8; i++) session.pushAudio(frame(true, i))
		await until(() => fake.connections.length > n && count(fake.connections[n], 'input_audio_buffer.append') >= 4)
		const conn = fake.connections[n]
		// Half the turn is at the API already, and the child is still speaking.
		expect(session.state).toBe('listening')
		expect(count(conn, 'input_audio_buffer.append')).toBeGreaterThanOrEqual(4)
		for (let i = 8; i < 17; i++) session.pushAudio(frame(true, i))
		await until(() => count(conn, 'input_audio_buffer.append') >= 10)
		expect(session.state).toBe('listening')
		expect(count(conn, 'input_audio_buffer.append')).toBeGreaterThanOrEqual(10)
		expect(types(conn)).not.toContain('input_audio_buffer.commit')

		session.endListening()
		await until(() => calls.includes('stop'))
		const t = types(conn)
		const commit = t.indexOf('input_audio_buffer.commit')
		expect(t.slice(commit)).toEqual(['input_audio_buffer.commit', 'response.create'])
		// each streamed event is 100 ms at 24 kHz but the last; 17 frames of 60 ms, resampled, all sent once
		const sizes = conn.received.filter((e) => e.type === 'input_audio_buffer.append').map((e) => Buffer.from(e.audio as string, 'base64').length / 2)
		expect(sizes.slice(0, -1).every((n) => n === 2400)).toBe(true)
		expect(Math.abs(appended(conn) - 17 * 60 * 24)).toBeLessThan(50)
		expect(calls).toContain('transcript:Tell me about dragons')
		expect(calls.filter((c) => c.startsWith('sentence:'))).toEqual(['sentence:Hello there, little friend!', 'sentence:Dragons love to bake cookies.'])
		expect(frames()).toBeGreaterThan(40)
		session.close()
	})

	test('an interrupted listening turn clears the API buffer and is never answered', async () => {
		const n = fake.connections.length
		const { session, calls } = streamingSession(provider({ codec }))
		session.beginListening('pcm16', 16000)
		for (let i = 0; i < 10; i++) session.pushAudio(frame(true, i))
		await until(() => fake.connections.length > n && count(fake.connections[n], 'input_audio_buffer.append') >= 5)
		const conn = fake.connections[n]
		session.interrupt()
		session.close()
		await until(() => types(conn).includes('input_audio_buffer.clear'))
		await Bun.sleep(100)
		const t = types(conn)
		expect(t.at(-1)).toBe('input_audio_buffer.clear')
		expect(t).not.toContain('input_audio_buffer.commit')
		expect(t).not.toContain('response.create')
		expect(calls).toEqual([])
	})

	test('a silence-only auto turn is cancelled, and the next turn on the socket is only its own audio', async () => {
		const n = fake.connections.length
		const { session, calls } = streamingSession(provider({ codec }))
		session.beginListening('pcm16', 16000, { endpointing: true })
		for (let i = 0; i < 10; i++) session.pushAudio(frame(false, i))
		await until(() => fake.connections.length > n && count(fake.connections[n], 'input_audio_buffer.append') >= 5)
		session.endListening()
		const conn = fake.connections[n]
		await until(() => types(conn).includes('input_audio_buffer.clear'))
		expect(session.state).toBe('idle')
		expect(types(conn)).not.toContain('response.create')

		session.beginListening('pcm16', 16000)
		for (let i = 0; i < 10; i++) session.pushAudio(frame(true, i))
		const before = conn.received.length
		session.endListening()
		await until(() => calls.includes('stop'))
		// the turn's own 600 ms reached the buffer after the clear, then one commit
		const clear = types(conn).lastIndexOf('input_audio_buffer.clear')
		const after = conn.received.slice(clear + 1)
		expect(appended({ received: after.filter((e) => e.type === 'input_audio_buffer.append') })).toBeGreaterThan(600 * 24 - 50)
		expect(appended({ received: after.filter((e) => e.type === 'input_audio_buffer.append') })).toBeLessThan(600 * 24 + 50)
		expect(conn.received.length).toBeGreaterThan(before)
		expect(conn.items.filter((i) => i.role === 'user')).toHaveLength(1)
		expect(Math.abs(conn.items.find((i) => i.role === 'user')!.audioMs - 600)).toBeLessThan(3)
		session.close()
	})

	test('server VAD: the API ends the streamed turn and answers; the gateway picks the answer up', async () => {
		const n = fake.connections.length
		const { session, calls, frames } = streamingSession(provider({ codec, vad: 'server' }))
		session.beginListening('pcm16', 16000)
		for (let i = 0; i < 17; i++) session.pushAudio(frame(true, i))
		for (let i = 0; i < 12; i++) session.pushAudio(frame(false, i))
		// The API heard the child stop and answered before the gateway ended its turn.
		await until(() => fake.connections.length > n && fake.connections[n].items.some((i) => i.role === 'assistant' && i.audioMs > 0))
		const conn = fake.connections[n]
		await Bun.sleep(50)
		expect(session.state).toBe('listening')
		session.endListening()
		await until(() => calls.includes('stop'))
		expect(types(conn)).not.toContain('input_audio_buffer.commit')
		expect(types(conn)).not.toContain('response.create')
		expect(calls).toContain('transcript:Tell me about dragons')
		expect(calls.filter((c) => c.startsWith('sentence:'))).toHaveLength(2)
		expect(frames()).toBeGreaterThan(40)
		session.close()
	})
})

describe('streaming uplink behind the resilient wrapper', () => {
	test('with the circuit open no stream is opened, and the offline bear answers a streamed turn from its pcm', async () => {
		const offline = new OfflineProvider()
		const seen: TurnInput[] = []
		const fallback: Provider = {
			name: 'offline',
			answer: (input) => {
				seen.push(input)
				return offline.answer(input)
			},
		}
		const p = new ResilientProvider({ primary: provider({ codec }), fallback, lines: new FixedLines({ codec }), breaker: { failureThreshold: 1, cooldownMs: 60_000 } })
		const ctx = { session: { id: crypto.randomUUID(), deviceId: 'toy', startedAt: Date.now(), turnIndex: 0 }, child: { id: 'c1', name: 'Lena', age: 6 }, sampleRate: 16000 }
		// closed: the primary gets the stream
		const open = p.openStream(ctx)
		expect(open).toBeDefined()
		open!.cancel()

		p.breaker.failure()
		expect(p.breaker.state).toBe('open')
		expect(p.openStream(ctx)).toBeUndefined()
		const t = turn({ streamed: true })
		const events = await collect(p.answer(t))
		expect(seen).toHaveLength(1)
		expect(seen[0].pcm).toBe(t.pcm)
		expect(seen[0].pcm.length).toBe(16000)
		expect(events.filter((e) => e.type === 'sentence')).toHaveLength(1)
		expect(events.some((e) => e.type === 'audio')).toBe(true)
	})
})
