// Speech-to-speech through the OpenAI Realtime API (GA events) with the official SDK. One socket
// per toy session keeps the model's memory of the conversation; each turn appends the child's
// audio (resampled to 24 kHz), and the answer streams back as 24 kHz PCM with its transcript.
//
// Uplink: with a codec, the session streams the child's audio while the child speaks (openStream,
// see openai-realtime-uplink.ts), so at the turn's end only the last 100 ms are left to send.
// Without one, or when the stream was lost, the whole turn is appended when it ends.
//
// Turn-taking: with `vad: 'gateway'` (default) the gateway's VAD has already cut the turn, so the
// audio is committed and answered (server VAD off). With `vad: 'server'` the API's VAD decides
// when the child stopped and commits and answers by itself (create_response): a streamed turn's
// answer() picks up the events since input_audio_buffer.speech_stopped if the API was first, and
// otherwise appends silence so it can tell; answer() never commits. The gateway still ends its own
// listening (toy's stop or its VAD); the API's speech_stopped does not end it.
//
// Sentences: the API streams the answer's audio and its transcript side by side, with no link
// between them, and a sentence is known only once its last word (and the next one's first) has
// arrived. Audio is therefore held back until the sentence it may belong to is complete: audio that
// arrived before sentence N's text completed is yielded after sentence N, never before. Because
// the transcript runs ahead of the audio, no audio of a sentence is yielded before that sentence,
// so the safety layer can check each sentence before the child hears a sample of it.
//
// The child's words: input transcription runs beside the response and may finish after it. The
// answer waits for it (up to `transcriptTimeoutMs` after the response ended); a transcription that
// fails or never comes is reported as a failed transcript, not as silence.
//
// Barge-in: the response is cancelled and the assistant item truncated to what the child heard,
// so the model does not remember saying what was never played. What was heard comes from the
// session's pacer through `input.playback` (frames released minus what the toy still buffers, in
// this provider's own audio, so neither fixed lines nor audio the safety layer held back count);
// without one it is estimated as min(audio yielded, time since the first audio was yielded + the
// pacer's 300 ms burst).

import OpenAI from 'openai'
import type { RealtimeServerEvent, RealtimeSessionCreateRequest } from 'openai/resources/realtime/realtime'
import type { Codec } from '../codec'
import { resample } from '../codec/resample'
import { log } from '../obs/logger'
import { systemPrompt } from '../safety/prompts'
import { AsyncQueue } from './async-queue'
import { ProviderError } from './errors'
import { RealtimeConnection } from './openai-realtime-connection'
import { REALTIME_RATE, RealtimeUplink } from './openai-realtime-uplink'
import type { ChildProfile, Provider, ProviderEvent, StreamContext, TurnInput, UplinkStream } from './provider'
import { SentenceSplitter } from './sentence-splitter'

export interface OpenAIRealtimeOptions {
	apiKey: string
	baseURL?: string
	model?: string
	transcribeModel?: string
	voice?: string
	/** Who ends the child's turn: the gateway's VAD (default) or the API's server VAD. */
	vad?: 'gateway' | 'server'
	maxTokens?: number
	historyLimit?: number
	/** Connecting and configuring a session must finish within this. */
	connectTimeoutMs?: number
	/** A toy's socket is closed after this long without a turn. */
	idleMs?: number
	/** Audio the child heard beyond what was sent in real time: the pacer's opening burst. */
	burstMs?: number
	/** How long after the response the child's words may still come from input transcription. */
	transcriptTimeoutMs?: number
	/** Enables streaming the child's audio as it arrives (its resampler); without it turns go whole. */
	codec?: Codec
}

export { REALTIME_RATE }
const APPEND_MS = 500
const SERVER_VAD_SILENCE_MS = 500
/** After the answer should have been heard, how long a playback held back (by safety) is waited for. */
const HEARD_SLACK_MS = 15_000

interface TurnState {
	/** The assistant item being spoken (for truncation). */
	itemId: string
	/** A response was created for this turn (response.cancel on barge-in). */
	responded: boolean
	/** Answer samples yielded, at 24 kHz. */
	samples: number
	firstAudioAt: number
	finished: boolean
	/** The child's words are still to come from input transcription. */
	awaitTranscript: boolean
	/** response.done arrived; only the transcript is awaited. */
	ended: boolean
	/** Audio since the last sentence: it may belong to a sentence whose text is not complete yet. */
	held: ProviderEvent[]
	/** Ends the wait for a late transcript. */
	transcriptTimer?: ReturnType<typeof setTimeout>
}

export class OpenAIRealtimeProvider implements Provider {
	readonly name = 'openai-realtime'
	private readonly client: OpenAI
	private readonly opts: Required<Omit<OpenAIRealtimeOptions, 'apiKey' | 'baseURL' | 'codec'>>
	private readonly codec: Codec | undefined
	private readonly conns = new Map<string, RealtimeConnection>()
	/** Sockets being opened, so a stream and its answer() share one. */
	private readonly opening = new Map<string, Promise<RealtimeConnection>>()
	/** The turn being streamed, per toy session, until its answer() takes it. */
	private readonly streams = new Map<string, RealtimeUplink>()
	/** New sockets not yet told the conversation so far, with the instructions they were opened with. */
	private readonly untold = new WeakMap<RealtimeConnection, string>()
	private sweeper: ReturnType<typeof setInterval> | undefined

	constructor(opts: OpenAIRealtimeOptions) {
		this.client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL })
		this.codec = opts.codec
		this.opts = {
			model: opts.model ?? 'gpt-realtime-mini',
			transcribeModel: opts.transcribeModel ?? 'gpt-4o-mini-transcribe',
			voice: opts.voice ?? 'alloy',
			vad: opts.vad ?? 'gateway',
			maxTokens: opts.maxTokens ?? 300,
			historyLimit: opts.historyLimit ?? 20,
			connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
			idleMs: opts.idleMs ?? 120_000,
			burstMs: opts.burstMs ?? 300,
			transcriptTimeoutMs: opts.transcriptTimeoutMs ?? 8000,
		}
	}

	openStream(ctx: StreamContext): UplinkStream | undefined {
		if (!this.codec) return undefined
		const key = ctx.session.id
		// A turn streamed but never answered (closed by safety, sent to the fallback) is cleared.
		this.streams.get(key)?.cancel()
		const stream = new RealtimeUplink(this.codec, ctx.sampleRate, this.opts.vad === 'server', this.name)
		this.streams.set(key, stream)
		this.connection(key, ctx.child, ctx.safetyId).then(
			(conn) => stream.attach(conn),
			(err) => stream.fail(err),
		)
		return stream
	}

	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		const key = input.session?.id ?? crypto.randomUUID()
		const stream = input.streamed ? this.streams.get(key) : undefined
		if (stream) this.streams.delete(key)
		if (input.signal.aborted) return stream?.cancel()
		const conn = await this.connection(key, input.child, input.safetyId)
		this.tell(conn, input)
		// A barge-in cancelled the previous response; a new one is refused until that has ended.
		await Promise.race([conn.responseDone, Bun.sleep(1000)])
		if (input.signal.aborted) return stream?.cancel()

		const q = new AsyncQueue<ProviderEvent>()
		const splitter = new SentenceSplitter()
		const turn: TurnState = {
			itemId: '',
			responded: false,
			samples: 0,
			firstAudioAt: 0,
			finished: false,
			awaitTranscript: input.text === undefined,
			ended: false,
			held: [],
		}
		let endResponse = () => {}
		conn.responseDone = new Promise<void>((resolve) => {
			endResponse = resolve
		})
		const handle = (ev: RealtimeServerEvent) => this.onEvent(ev, turn, q, splitter, endResponse, input)
		conn.listen(handle)
		const offClose = conn.onClose((err) => {
			endResponse()
			q.fail(err)
		})
		const onAbort = () => q.end()
		input.signal.addEventListener('abort', onAbort, { once: true })
		try {
			if (input.text !== undefined) {
				// A retry after the transcript answers it as text: the streamed audio is not wanted again.
				stream?.cancel()
				yield { type: 'transcript', text: input.text }
				conn.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: input.text }] } })
				conn.send({ type: 'response.create' })
			} else {
				const early = stream?.finish(conn)
				if (early) {
					// The audio is in the API's buffer already; server VAD may even be answering it.
					for (const ev of early) handle(ev)
					if (this.opts.vad === 'server' && !stream?.heardEnd) this.appendSilence(conn)
				} else {
					// ? Part of a lost stream may be in the buffer: the turn goes whole, once.
					if (stream) conn.send({ type: 'input_audio_buffer.clear' })
					this.appendAudio(conn, input.pcm, input.sampleRate)
				}
				if (this.opts.vad === 'gateway') {
					conn.send({ type: 'input_audio_buffer.commit' })
					conn.send({ type: 'response.create' })
				}
			}
			for (let ev = await q.next(); ev !== undefined; ev = await q.next()) {
				if (input.signal.aborted) break
				if (ev.type === 'audio') {
					if (!turn.firstAudioAt) turn.firstAudioAt = performance.now()
					turn.samples += ev.pcm.length
				}
				yield ev
			}
			// ? The answer arrives faster than it plays: stay cancellable until it has (nearly) all
			// been heard, so a barge-in during playback still truncates the model's memory.
			if (turn.firstAudioAt && !input.signal.aborted) await this.untilHeard(turn, input)
			turn.finished = !input.signal.aborted
		} catch (err) {
			if (input.signal.aborted) return
			// ? A socket in an unknown state is not reused: the next turn starts clean from history.
			this.drop(key)
			throw err
		} finally {
			input.signal.removeEventListener('abort', onAbort)
			clearTimeout(turn.transcriptTimer)
			offClose()
			if (!turn.finished && !conn.closed) this.cutShort(conn, turn, input)
		}
	}

	/** Waits until the toy has played the answer but its last burst, or the turn is cancelled. */
	private async untilHeard(turn: TurnState, input: TurnInput): Promise<void> {
		const yielded = (turn.samples / REALTIME_RATE) * 1000
		const playback = input.playback
		if (!playback) {
			const left = yielded - (performance.now() - turn.firstAudioAt) - this.opts.burstMs
			if (left > 0) await abortable(left, input.signal)
			return
		}
		// ? Playback only moves once the safety layer releases the audio, so it is polled; audio held
		// back for longer than the answer lasts (plus slack) is not waited for.
		const deadline = performance.now() + yielded + HEARD_SLACK_MS
		while (!input.signal.aborted && performance.now() < deadline) {
			const left = yielded - this.opts.burstMs - playback.playedMs()
			if (left <= 0) return
			await abortable(Math.min(left, 500), input.signal)
		}
	}

	async close(): Promise<void> {
		for (const key of [...this.conns.keys()]) this.drop(key)
		if (this.sweeper) clearInterval(this.sweeper)
		this.sweeper = undefined
	}

	/** Cancels the answer in progress and truncates it to what the child heard. */
	private cutShort(conn: RealtimeConnection, turn: TurnState, input: TurnInput): void {
		try {
			// ? Even after response.done: one may be in flight, and an inactive cancel is harmless.
			if (turn.responded) conn.send({ type: 'response.cancel' })
			if (turn.itemId && turn.samples > 0) {
				const yielded = (turn.samples / REALTIME_RATE) * 1000
				const played = input.playback ? input.playback.playedMs() : performance.now() - turn.firstAudioAt + this.opts.burstMs
				const heard = Math.floor(Math.max(0, Math.min(yielded, played)))
				conn.send({ type: 'conversation.item.truncate', item_id: turn.itemId, content_index: 0, audio_end_ms: heard })
			}
		} catch (err) {
			log.warn({ provider: this.name, err: String(err) }, 'realtime barge-in cleanup failed')
		}
	}

	private onEvent(
		ev: RealtimeServerEvent,
		turn: TurnState,
		q: AsyncQueue<ProviderEvent>,
		splitter: SentenceSplitter,
		endResponse: () => void,
		input: TurnInput,
	): void {
		switch (ev.type) {
			case 'conversation.item.input_audio_transcription.completed':
				if (!turn.awaitTranscript) return
				turn.awaitTranscript = false
				q.push({ type: 'transcript', text: ev.transcript })
				if (ev.usage?.type === 'tokens') input.usage?.({ input: ev.usage.input_tokens, output: ev.usage.output_tokens })
				if (turn.ended) q.end()
				return
			case 'conversation.item.input_audio_transcription.failed':
				if (!turn.awaitTranscript) return
				turn.awaitTranscript = false
				q.push({ type: 'transcript', text: '', failed: true })
				if (turn.ended) q.end()
				return
			case 'response.created':
				turn.responded = true
				return
			case 'response.output_audio_transcript.delta':
				this.sentences(splitter.push(ev.delta), turn, q)
				return
			case 'response.output_audio.delta':
				turn.itemId = ev.item_id
				turn.held.push({ type: 'audio', pcm: decodePcm(ev.delta), sampleRate: REALTIME_RATE })
				return
			case 'response.done': {
				endResponse()
				const used = ev.response.usage
				if (used) input.usage?.({ input: used.input_tokens ?? 0, output: used.output_tokens ?? 0 })
				// The last sentence, then all audio still held: it is that sentence's (or, with no
				// transcript at all, no sentence's, which the safety layer never releases).
				const rest = splitter.flush()
				this.sentences(rest ? [rest] : [], turn, q, true)
				const status = ev.response.status
				if (status === 'failed') q.fail(new ProviderError(this.name, 'chat', `response failed: ${JSON.stringify(ev.response.status_details ?? {})}`))
				else if (!turn.awaitTranscript) q.end()
				else {
					// Transcription runs beside the response and may finish after it: the child's words
					// are awaited, because the safety layer holds the answer until it has checked them.
					turn.ended = true
					turn.transcriptTimer = setTimeout(() => {
						if (turn.awaitTranscript) q.push({ type: 'transcript', text: '', failed: true })
						turn.awaitTranscript = false
						q.end()
					}, this.opts.transcriptTimeoutMs)
					turn.transcriptTimer.unref?.()
				}
				return
			}
			case 'error':
				// ? Cleanup after a barge-in may race the response's own end; that is not a failure.
				if (ev.error.code === 'response_cancel_not_active') return
				endResponse()
				q.fail(new ProviderError(this.name, 'chat', ev.error.message, { status: ev.error.type === 'server_error' ? 500 : 400 }))
				return
		}
	}

	/**
	 * Sentences whose text just completed, then the audio held since the previous one: that audio
	 * arrived before these sentences were complete, so it belongs to them or to earlier ones.
	 */
	private sentences(done: string[], turn: TurnState, q: AsyncQueue<ProviderEvent>, last = false): void {
		if (done.length === 0 && !last) return
		for (const text of done) q.push({ type: 'sentence', text })
		for (const audio of turn.held) q.push(audio)
		turn.held = []
	}

	private appendAudio(conn: RealtimeConnection, pcm: Int16Array, rate: number): void {
		let audio = rate === REALTIME_RATE ? pcm : resample(pcm, rate, REALTIME_RATE)
		if (this.opts.vad === 'server') {
			// Trailing silence lets the server's VAD hear the end of the turn.
			const padded = new Int16Array(audio.length + (REALTIME_RATE * (SERVER_VAD_SILENCE_MS + 200)) / 1000)
			padded.set(audio)
			audio = padded
		}
		this.sendAudio(conn, audio)
	}

	/** A streamed turn the API's VAD has not ended yet: silence lets it hear the end. */
	private appendSilence(conn: RealtimeConnection): void {
		this.sendAudio(conn, new Int16Array((REALTIME_RATE * (SERVER_VAD_SILENCE_MS + 200)) / 1000))
	}

	private sendAudio(conn: RealtimeConnection, audio: Int16Array): void {
		const step = (REALTIME_RATE * APPEND_MS) / 1000
		for (let at = 0; at < audio.length; at += step) {
			const chunk = audio.subarray(at, at + step)
			conn.send({ type: 'input_audio_buffer.append', audio: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64') })
		}
	}

	/** One socket per toy session; a stream and its answer() opening it at once share it. */
	private connection(key: string, child: ChildProfile, safetyId: StreamContext['safetyId']): Promise<RealtimeConnection> {
		const open = this.conns.get(key)
		if (open && !open.closed) return Promise.resolve(open)
		let pending = this.opening.get(key)
		if (!pending) {
			pending = this.connect(key, child, safetyId).finally(() => this.opening.delete(key))
			this.opening.set(key, pending)
		}
		return pending
	}

	/** The family's safety id is sent when the socket opens (a header); a socket lives for one toy session. */
	private async connect(key: string, child: ChildProfile, safetyId: StreamContext['safetyId']): Promise<RealtimeConnection> {
		const instructions = systemPrompt(child)
		let conn: RealtimeConnection
		try {
			const id = await safetyId
			conn = await RealtimeConnection.open(this.client, this.opts.model, this.sessionConfig(instructions), this.name, this.opts.connectTimeoutMs, id)
		} catch (err) {
			if (err instanceof ProviderError) throw err
			throw new ProviderError(this.name, 'chat', `connect failed: ${(err as Error).message}`, { cause: err })
		}
		this.untold.set(conn, instructions)
		this.conns.set(key, conn)
		this.sweep()
		return conn
	}

	/**
	 * A new socket knows nothing: tell it the conversation so far, as text. Done by the turn's
	 * answer(), not when the socket opens, because a stream opens it without the history (and
	 * without the lesson the safety layer adds to the child).
	 */
	private tell(conn: RealtimeConnection, input: TurnInput): void {
		const opened = this.untold.get(conn)
		if (opened === undefined) return
		this.untold.delete(conn)
		const instructions = systemPrompt(input.child)
		if (instructions !== opened) conn.send({ type: 'session.update', session: { type: 'realtime', instructions } })
		for (const h of input.history.slice(-this.opts.historyLimit)) {
			conn.send({
				type: 'conversation.item.create',
				item:
					h.role === 'child'
						? { type: 'message', role: 'user', content: [{ type: 'input_text', text: h.text }] }
						: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: h.text }] },
			})
		}
	}

	private sessionConfig(instructions: string): RealtimeSessionCreateRequest {
		return {
			type: 'realtime',
			model: this.opts.model,
			instructions,
			output_modalities: ['audio'],
			max_output_tokens: this.opts.maxTokens,
			audio: {
				input: {
					format: { type: 'audio/pcm', rate: REALTIME_RATE },
					transcription: { model: this.opts.transcribeModel },
					turn_detection:
						this.opts.vad === 'server'
							? { type: 'server_vad', silence_duration_ms: SERVER_VAD_SILENCE_MS, create_response: true, interrupt_response: true }
							: null,
				},
				output: { format: { type: 'audio/pcm', rate: REALTIME_RATE }, voice: this.opts.voice },
			},
		}
	}

	private drop(key: string): void {
		this.conns.get(key)?.close()
		this.conns.delete(key)
		this.streams.delete(key)
	}

	/** Closes sockets of toys that went quiet; one unref'd timer for all of them. */
	private sweep(): void {
		if (this.sweeper) return
		this.sweeper = setInterval(() => {
			const cutoff = Date.now() - this.opts.idleMs
			for (const [key, conn] of this.conns) if (conn.closed || conn.lastUsed < cutoff) this.drop(key)
			if (this.conns.size === 0 && this.sweeper) {
				clearInterval(this.sweeper)
				this.sweeper = undefined
			}
		}, Math.min(30_000, this.opts.idleMs))
		this.sweeper.unref?.()
	}
}

function decodePcm(b64: string): Int16Array {
	const bytes = Buffer.from(b64, 'base64')
	const pcm = new Int16Array(bytes.length >> 1)
	for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2)
	return pcm
}

/** Waits `ms`, or less if the turn is cancelled. */
function abortable(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			clearTimeout(t)
			signal.removeEventListener('abort', done)
			resolve()
		}
		const t = setTimeout(done, ms)
		signal.addEventListener('abort', done, { once: true })
	})
}
