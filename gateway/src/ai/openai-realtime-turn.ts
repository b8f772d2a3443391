// One answer of the Realtime provider: the server events of one response turned into provider
// events, and what barge-in needs to undo it.
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
// Tools: a response may be a call of one of the toy's tools (response.function_call_arguments.done).
// The call runs through `input.tools` (already narrowed by the safety layer), its result goes back
// as a function_call_output item, and once that response is done a new one continues the answer,
// a few rounds at most.
//
// Barge-in: the response is cancelled and the assistant item truncated to what the child heard,
// so the model does not remember saying what was never played. What was heard comes from the
// session's pacer through `input.playback` (frames released minus what the toy still buffers, in
// this provider's own audio, so neither fixed lines nor audio the safety layer held back count);
// without one it is estimated as min(audio yielded, time since the first audio was yielded + the
// pacer's 300 ms burst).

import type { RealtimeClientEvent, RealtimeServerEvent } from 'openai/resources/realtime/realtime'
import { log } from '../obs/logger'
import { AsyncQueue } from './async-queue'
import { MAX_TOOL_ROUNDS, type ToolBox } from './chat-tools'
import { ProviderError } from './errors'
import type { RealtimeConnection } from './openai-realtime-connection'
import { REALTIME_RATE } from './openai-realtime-uplink'
import type { ProviderEvent, TurnInput } from './provider'
import { SentenceSplitter } from './sentence-splitter'

export interface RealtimeTurnOptions {
	/** Provider name, for errors and logs. */
	provider: string
	/** Audio the child heard beyond what was sent in real time: the pacer's opening burst. */
	burstMs: number
	transcriptTimeoutMs: number
	/** The toy's tools offered this turn, and how to send the calls' results and the next response. */
	tools?: { box: ToolBox; send(event: RealtimeClientEvent): void }
}

/** After the answer should have been heard, how long a playback held back (by safety) is waited for. */
const HEARD_SLACK_MS = 15_000

export class RealtimeTurn {
	/** What answer() yields, in order. */
	readonly events = new AsyncQueue<ProviderEvent>()
	/** Set once the answer has (nearly) all been heard: no barge-in cleanup is needed then. */
	finished = false
	private readonly splitter = new SentenceSplitter()
	/** The assistant item being spoken (for truncation). */
	private itemId = ''
	/** A response was created for this turn (response.cancel on barge-in). */
	private responded = false
	/** Answer samples yielded, at 24 kHz. */
	private samples = 0
	private firstAudioAt = 0
	/** The child's words are still to come from input transcription. */
	private awaitTranscript: boolean
	/** response.done arrived; only the transcript is awaited. */
	private ended = false
	/** Audio since the last sentence: it may belong to a sentence whose text is not complete yet. */
	private held: ProviderEvent[] = []
	private transcriptTimer: ReturnType<typeof setTimeout> | undefined
	/** Tool calls of the current response, running; their outputs are sent when each finishes. */
	private calls: Promise<void>[] = []
	private toolRounds = 0

	constructor(
		private readonly input: TurnInput,
		private readonly opts: RealtimeTurnOptions,
		/** Tells the connection the response has ended (a new one may be created). */
		private readonly endResponse: () => void,
	) {
		this.awaitTranscript = input.text === undefined
	}

	/** An event is about to be yielded: counts the answer's audio. */
	yielding(ev: ProviderEvent): void {
		if (ev.type !== 'audio') return
		if (!this.firstAudioAt) this.firstAudioAt = performance.now()
		this.samples += ev.pcm.length
	}

	/** Waits until the toy has played the answer but its last burst, or the turn is cancelled. */
	async untilHeard(): Promise<void> {
		const { signal, playback } = this.input
		if (!this.firstAudioAt || signal.aborted) return
		const yielded = (this.samples / REALTIME_RATE) * 1000
		if (!playback) {
			const left = yielded - (performance.now() - this.firstAudioAt) - this.opts.burstMs
			if (left > 0) await abortable(left, signal)
			return
		}
		// ? Playback only moves once the safety layer releases the audio, so it is polled; audio held
		// back for longer than the answer lasts (plus slack) is not waited for.
		const deadline = performance.now() + yielded + HEARD_SLACK_MS
		while (!signal.aborted && performance.now() < deadline) {
			const left = yielded - this.opts.burstMs - playback.playedMs()
			if (left <= 0) return
			await abortable(Math.min(left, 500), signal)
		}
	}

	/** The turn is over: stops waiting for a late transcript. */
	dispose(): void {
		clearTimeout(this.transcriptTimer)
	}

	/** Cancels the answer in progress and truncates it to what the child heard. */
	cutShort(conn: RealtimeConnection): void {
		try {
			// ? Even after response.done: one may be in flight, and an inactive cancel is harmless.
			if (this.responded) conn.send({ type: 'response.cancel' })
			if (this.itemId && this.samples > 0) {
				const yielded = (this.samples / REALTIME_RATE) * 1000
				const { playback } = this.input
				const played = playback ? playback.playedMs() : performance.now() - this.firstAudioAt + this.opts.burstMs
				const heard = Math.floor(Math.max(0, Math.min(yielded, played)))
				conn.send({ type: 'conversation.item.truncate', item_id: this.itemId, content_index: 0, audio_end_ms: heard })
			}
		} catch (err) {
			log.warn({ provider: this.opts.provider, err: String(err) }, 'realtime barge-in cleanup failed')
		}
	}

	handle(ev: RealtimeServerEvent): void {
		const q = this.events
		switch (ev.type) {
			case 'conversation.item.input_audio_transcription.completed':
				if (!this.awaitTranscript) return
				this.awaitTranscript = false
				q.push({ type: 'transcript', text: ev.transcript })
				if (ev.usage?.type === 'tokens') this.input.usage?.({ input: ev.usage.input_tokens, output: ev.usage.output_tokens })
				if (this.ended) q.end()
				return
			case 'conversation.item.input_audio_transcription.failed':
				if (!this.awaitTranscript) return
				this.awaitTranscript = false
				q.push({ type: 'transcript', text: '', failed: true })
				if (this.ended) q.end()
				return
			case 'response.created':
				this.responded = true
				return
			case 'response.output_audio_transcript.delta':
				this.sentences(this.splitter.push(ev.delta))
				return
			case 'response.output_audio.delta':
				this.itemId = ev.item_id
				this.held.push({ type: 'audio', pcm: decodePcm(ev.delta), sampleRate: REALTIME_RATE })
				return
			case 'response.function_call_arguments.done':
				return this.callTool(ev.call_id, ev.name, ev.arguments)
			case 'response.done':
				return this.done(ev.response)
			case 'error':
				// ? Cleanup after a barge-in may race the response's own end; that is not a failure.
				if (ev.error.code === 'response_cancel_not_active') return
				this.endResponse()
				q.fail(new ProviderError(this.opts.provider, 'chat', ev.error.message, { status: ev.error.type === 'server_error' ? 500 : 400 }))
				return
		}
	}

	private done(response: Extract<RealtimeServerEvent, { type: 'response.done' }>['response']): void {
		const q = this.events
		this.endResponse()
		const used = response.usage
		if (used) this.input.usage?.({ input: used.input_tokens ?? 0, output: used.output_tokens ?? 0 })
		// The last sentence, then all audio still held: it is that sentence's (or, with no
		// transcript at all, no sentence's, which the safety layer never releases).
		const rest = this.splitter.flush()
		this.sentences(rest ? [rest] : [], true)
		if (response.status === 'failed') {
			q.fail(new ProviderError(this.opts.provider, 'chat', `response failed: ${JSON.stringify(response.status_details ?? {})}`))
		} else if (this.calls.length > 0 && response.status === 'completed') void this.continueAfterTools()
		else if (!this.awaitTranscript) q.end()
		else {
			// Transcription runs beside the response and may finish after it: the child's words are
			// awaited, because the safety layer holds the answer until it has checked them.
			this.ended = true
			this.transcriptTimer = setTimeout(() => {
				if (this.awaitTranscript) q.push({ type: 'transcript', text: '', failed: true })
				this.awaitTranscript = false
				q.end()
			}, this.opts.transcriptTimeoutMs)
			this.transcriptTimer.unref?.()
		}
	}

	private callTool(callId: string, name: string, args: string): void {
		const tools = this.opts.tools
		if (!tools || this.toolRounds >= MAX_TOOL_ROUNDS) return
		const signal = this.input.signal
		this.calls.push(
			tools.box.call(name, args, signal).then(({ result }) => {
				if (signal.aborted) return
				tools.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: result.ok ? result.content : `failed: ${result.content}` } })
			}),
		)
	}

	/** The response was a tool call: once its results are in, the model goes on with the answer. */
	private async continueAfterTools(): Promise<void> {
		const calls = this.calls.splice(0)
		try {
			await Promise.all(calls)
			if (this.input.signal.aborted) return
			this.toolRounds++
			// ? After the last allowed round the model must answer in words.
			this.opts.tools?.send({ type: 'response.create', ...(this.toolRounds >= MAX_TOOL_ROUNDS ? { response: { tool_choice: 'none' } } : {}) })
		} catch (err) {
			this.events.fail(new ProviderError(this.opts.provider, 'chat', `tool call failed: ${String(err)}`))
		}
	}

	/**
	 * Sentences whose text just completed, then the audio held since the previous one: that audio
	 * arrived before these sentences were complete, so it belongs to them or to earlier ones.
	 */
	private sentences(done: string[], last = false): void {
		if (done.length === 0 && !last) return
		for (const text of done) this.events.push({ type: 'sentence', text })
		for (const audio of this.held) this.events.push(audio)
		this.held = []
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
