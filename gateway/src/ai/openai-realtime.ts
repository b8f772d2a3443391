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
// Each answer's events, the sentence-by-sentence hold on its audio, the wait for late words and the
// barge-in cleanup are in openai-realtime-turn.ts.

import OpenAI from 'openai'
import type { RealtimeClientEvent, RealtimeServerEvent, RealtimeSessionCreateRequest } from 'openai/resources/realtime/realtime'
import type { Codec } from '../codec'
import { resample } from '../codec/resample'
import { ToolBox } from './chat-tools'
import { ProviderError } from './errors'
import { RealtimeConnection } from './openai-realtime-connection'
import { RealtimeTurn } from './openai-realtime-turn'
import { REALTIME_RATE, RealtimeUplink } from './openai-realtime-uplink'
import { defaultInstructions, type Provider, type ProviderEvent, type StreamContext, type TurnInput, type UplinkStream } from './provider'

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
	/** The tools each socket's session was last given (JSON), so an unchanged set is not sent again. */
	private readonly offered = new WeakMap<RealtimeConnection, string>()
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
		this.connection(key, ctx.instructions ?? defaultInstructions(ctx.child), ctx.safetyId).then(
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
		const conn = await this.connection(key, input.instructions ?? defaultInstructions(input.child), input.safetyId)
		this.tell(conn, input)
		// A barge-in cancelled the previous response; a new one is refused until that has ended.
		await Promise.race([conn.responseDone, Bun.sleep(1000)])
		if (input.signal.aborted) return stream?.cancel()

		let endResponse = () => {}
		conn.responseDone = new Promise<void>((resolve) => {
			endResponse = resolve
		})
		const box = new ToolBox(input.tools)
		this.offerTools(conn, box)
		const tools = { box, send: (event: RealtimeClientEvent) => conn.send(event) }
		const turn = new RealtimeTurn(input, { provider: this.name, burstMs: this.opts.burstMs, transcriptTimeoutMs: this.opts.transcriptTimeoutMs, tools }, () => endResponse())
		const q = turn.events
		const handle = (ev: RealtimeServerEvent) => turn.handle(ev)
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
				turn.yielding(ev)
				yield ev
			}
			// ? The answer arrives faster than it plays: stay cancellable until it has (nearly) all
			// been heard, so a barge-in during playback still truncates the model's memory.
			await turn.untilHeard()
			turn.finished = !input.signal.aborted
		} catch (err) {
			if (input.signal.aborted) return
			// ? A socket in an unknown state is not reused: the next turn starts clean from history.
			this.drop(key)
			throw err
		} finally {
			input.signal.removeEventListener('abort', onAbort)
			turn.dispose()
			offClose()
			if (!turn.finished && !conn.closed) turn.cutShort(conn)
		}
	}

	async close(): Promise<void> {
		for (const key of [...this.conns.keys()]) this.drop(key)
		if (this.sweeper) clearInterval(this.sweeper)
		this.sweeper = undefined
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
	private connection(key: string, instructions: string, safetyId: StreamContext['safetyId']): Promise<RealtimeConnection> {
		const open = this.conns.get(key)
		if (open && !open.closed) return Promise.resolve(open)
		let pending = this.opening.get(key)
		if (!pending) {
			pending = this.connect(key, instructions, safetyId).finally(() => this.opening.delete(key))
			this.opening.set(key, pending)
		}
		return pending
	}

	/** The family's safety id is sent when the socket opens (a header); a socket lives for one toy session. */
	private async connect(key: string, instructions: string, safetyId: StreamContext['safetyId']): Promise<RealtimeConnection> {
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
		const instructions = input.instructions ?? defaultInstructions(input.child)
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

	/**
	 * The toy's tools this turn (the family may have changed them since the last): the session is
	 * told only when they changed. With the API's own VAD an answer may start before this turn is
	 * handled; that answer is given with the tools of the turn before.
	 */
	private offerTools(conn: RealtimeConnection, box: ToolBox): void {
		const tools = box.functions.map((f) => ({ type: 'function' as const, name: f.name, description: f.description, parameters: f.parameters }))
		const key = JSON.stringify(tools)
		if ((this.offered.get(conn) ?? '[]') === key) return
		this.offered.set(conn, key)
		conn.send({ type: 'session.update', session: { type: 'realtime', tools, tool_choice: 'auto' } })
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
