// STT → chat → TTS through the official `openai` SDK, so the same code talks to OpenAI and to
// OpenAI-compatible local servers. The chat stream is cut into sentences and each is spoken as
// soon as it is complete, while the model keeps writing; the child hears the first sentence
// long before the answer is finished.

import OpenAI, { APIError, APIUserAbortError, toFile } from 'openai'
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import { log } from '../obs/logger'
import { systemPrompt } from '../safety/prompts'
import { AsyncQueue } from './async-queue'
import { ProviderError, type ProviderStage } from './errors'
import type { Provider, ProviderEvent, TurnInput } from './provider'
import { SentenceSplitter } from './sentence-splitter'
import { encodeWav } from './wav'

export interface OpenAIPipelineOptions {
	apiKey: string
	baseURL?: string
	chatModel?: string
	transcribeModel?: string
	ttsModel?: string
	voice?: string
	/** Cap on answer length; the prompt asks for 1–3 sentences, this enforces it. */
	maxTokens?: number
	/** History entries sent with each turn (most recent kept). */
	historyLimit?: number
	/** Per-request timeout. A toy cannot wait the SDK's default 10 minutes. */
	timeoutMs?: number
	/** SDK retries on 429/5xx/connection errors. Each retry is silence for the child, so few. */
	maxRetries?: number
}

/** `response_format: 'pcm'` is raw s16le mono at this rate. */
export const SPEECH_PCM_RATE = 24_000
// Audio events of at least ~100 ms: fewer, larger events for the session, little added delay.
const MIN_AUDIO_BYTES = (SPEECH_PCM_RATE / 10) * 2

export class OpenAIPipelineProvider implements Provider {
	readonly name = 'openai-pipeline'
	private readonly client: OpenAI
	private readonly chatModel: string
	private readonly transcribeModel: string
	private readonly ttsModel: string
	private readonly voice: string
	private readonly maxTokens: number
	private readonly historyLimit: number

	constructor(opts: OpenAIPipelineOptions) {
		this.client = new OpenAI({
			apiKey: opts.apiKey,
			baseURL: opts.baseURL,
			timeout: opts.timeoutMs ?? 30_000,
			maxRetries: opts.maxRetries ?? 1,
		})
		this.chatModel = opts.chatModel ?? 'gpt-4o-mini'
		this.transcribeModel = opts.transcribeModel ?? 'gpt-4o-mini-transcribe'
		this.ttsModel = opts.ttsModel ?? 'gpt-4o-mini-tts'
		this.voice = opts.voice ?? 'alloy'
		this.maxTokens = opts.maxTokens ?? 200
		this.historyLimit = opts.historyLimit ?? 20
	}

	async *answer(input: TurnInput): AsyncIterable<ProviderEvent> {
		// ? Our own controller, linked to the turn's: it also stops the background chat stream
		// when the consumer stops iterating early (break/return) without aborting the turn.
		const turn = new AbortController()
		const forward = () => turn.abort(input.signal.reason)
		if (input.signal.aborted) return
		input.signal.addEventListener('abort', forward, { once: true })
		try {
			let text = input.text
			if (text === undefined) {
				text = await this.transcribe(input.pcm, input.sampleRate, turn.signal)
				if (turn.signal.aborted) return
				yield { type: 'transcript', text }
				// Nothing was said (noise, a cough): no answer rather than an answer to nothing.
				if (!text.trim()) return
			} else {
				yield { type: 'transcript', text }
			}

			const sentences = new AsyncQueue<string>()
			void this.streamSentences(input, text, turn.signal, sentences)
			for (let s = await sentences.next(); s !== undefined; s = await sentences.next()) {
				// ? Sentences already queued must not be spoken once the turn is cancelled.
				if (turn.signal.aborted) return
				yield { type: 'sentence', text: s }
				yield* this.speak(s, turn.signal)
			}
		} catch (err) {
			if (turn.signal.aborted || err instanceof APIUserAbortError) return
			throw err
		} finally {
			input.signal.removeEventListener('abort', forward)
			turn.abort()
		}
	}

	private async transcribe(pcm: Int16Array, sampleRate: number, signal: AbortSignal): Promise<string> {
		try {
			const file = await toFile(encodeWav(pcm, sampleRate), 'speech.wav', { type: 'audio/wav' })
			const res = await this.client.audio.transcriptions.create(
				{ file, model: this.transcribeModel, response_format: 'json' },
				{ signal },
			)
			return res.text
		} catch (err) {
			throw this.wrap('transcribe', err, signal)
		}
	}

	private async streamSentences(input: TurnInput, text: string, signal: AbortSignal, out: AsyncQueue<string>) {
		try {
			const history: ChatCompletionMessageParam[] = input.history.slice(-this.historyLimit).map((h) => ({
				role: h.role === 'child' ? 'user' : 'assistant',
				content: h.text,
			}))
			const stream = await this.client.chat.completions.create(
				{
					model: this.chatModel,
					stream: true,
					max_completion_tokens: this.maxTokens,
					messages: [{ role: 'system', content: systemPrompt(input.child) }, ...history, { role: 'user', content: text }],
				},
				{ signal },
			)
			const splitter = new SentenceSplitter()
			for await (const chunk of stream) {
				const delta = chunk.choices[0]?.delta?.content
				if (delta) for (const s of splitter.push(delta)) out.push(s)
			}
			const rest = splitter.flush()
			if (rest) out.push(rest)
			out.end()
		} catch (err) {
			out.fail(this.wrap('chat', err, signal))
		}
	}

	private async *speak(sentence: string, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
		let body: ReadableStream<Uint8Array> | null
		try {
			const res = await this.client.audio.speech.create(
				{ model: this.ttsModel, voice: this.voice, input: sentence, response_format: 'pcm' },
				{ signal },
			)
			body = res.body
		} catch (err) {
			throw this.wrap('speech', err, signal)
		}
		if (!body) return
		const reader = body.getReader()
		let pending: Uint8Array = new Uint8Array(0)
		try {
			while (true) {
				const { done, value } = await reader.read()
				if (signal.aborted) return
				if (value) pending = concat(pending, value)
				if (pending.length >= MIN_AUDIO_BYTES || (done && pending.length >= 2)) {
					// Samples are two bytes; an odd byte waits for its partner in the next read.
					const whole = pending.length - (pending.length % 2)
					yield { type: 'audio', pcm: toInt16(pending.subarray(0, whole)), sampleRate: SPEECH_PCM_RATE }
					pending = pending.slice(whole)
				}
				if (done) return
			}
		} catch (err) {
			throw this.wrap('speech', err, signal)
		} finally {
			// Cancels the download if we stopped early (abort or the consumer went away).
			reader.cancel().catch(() => {})
		}
	}

	private wrap(stage: ProviderStage, err: unknown, signal: AbortSignal): unknown {
		if (signal.aborted || err instanceof APIUserAbortError) return err
		if (err instanceof ProviderError) return err
		const status = err instanceof APIError ? err.status : undefined
		const message = err instanceof Error ? err.message : String(err)
		log.warn({ provider: this.name, stage, status }, 'AI call failed')
		return new ProviderError(this.name, stage, message, { cause: err, status })
	}
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
	if (a.length === 0) return b
	const out = new Uint8Array(a.length + b.length)
	out.set(a)
	out.set(b, a.length)
	return out
}

function toInt16(bytes: Uint8Array): Int16Array {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
	const pcm = new Int16Array(bytes.length >> 1)
	for (let i = 0; i < pcm.length; i++) pcm[i] = view.getInt16(i * 2, true)
	return pcm
}
