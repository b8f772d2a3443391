// STT → chat → TTS through the official `openai` SDK, so the same code talks to OpenAI and to
// OpenAI-compatible local servers. The chat stream is cut into sentences and each is spoken as
// soon as it is complete, while the model keeps writing; the child hears the first sentence
// long before the answer is finished.
//
// With a codec, audio stays Opus where it can: the toy's uplink packets go to transcription as an
// Ogg Opus file (muxed, not transcoded), and speech for an Opus toy is asked for as Ogg Opus and
// handed on as packets, which the session passes through when their frames match the toy's.

import OpenAI, { APIError, APIUserAbortError, toFile } from 'openai'
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import type { Codec, OpusRate } from '../codec'
import { packetSamples48k } from '../codec/opus-packets'
import { log } from '../obs/logger'
import { AsyncQueue } from './async-queue'
import { MAX_TOOL_ROUNDS, ToolBox, ToolCallAccumulator } from './chat-tools'
import { ProviderError, type ProviderStage } from './errors'
import { defaultInstructions, type PcmQuestion, type Provider, type ProviderEvent, type TurnInput } from './provider'
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
	/** Enables Ogg Opus for uploads and speech; without one, WAV up and PCM down. */
	codec?: Codec
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
	private readonly codec: Codec | undefined

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
		this.codec = opts.codec
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
				text = await this.transcribe(input, turn.signal)
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
				yield* this.speak(s, input, turn.signal)
			}
		} catch (err) {
			if (turn.signal.aborted || err instanceof APIUserAbortError) return
			throw err
		} finally {
			input.signal.removeEventListener('abort', forward)
			turn.abort()
		}
	}

	private async transcribe(input: TurnInput, signal: AbortSignal): Promise<string> {
		try {
			const ogg = this.uploadOgg(input)
			const file = ogg
				? await toFile(ogg, 'speech.ogg', { type: 'audio/ogg' })
				: await toFile(encodeWav(input.pcm, input.sampleRate), 'speech.wav', { type: 'audio/wav' })
			const res = await this.client.audio.transcriptions.create(
				{ file, model: this.transcribeModel, response_format: 'json' },
				{ signal },
			)
			// Duration-billed models (whisper-1) report seconds, not tokens: nothing to add then.
			if (res.usage?.type === 'tokens') input.usage?.({ input: res.usage.input_tokens, output: res.usage.output_tokens })
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
			const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: input.instructions ?? defaultInstructions(input.child) }, ...history, { role: 'user', content: text }]
			const toolbox = new ToolBox(input.tools)
			const splitter = new SentenceSplitter()
			// ? A call to the toy's tools (volume, brightness …) ends the model's stream; its result goes
			// back as a `tool` message and the model goes on with the answer, a few rounds at most.
			for (let round = 0; ; round++) {
				const offer = !toolbox.empty && round < MAX_TOOL_ROUNDS
				const stream = await this.client.chat.completions.create(
					{
						model: this.chatModel,
						stream: true,
						// The last chunk then reports the tokens used; they are metered instead of estimated.
						stream_options: { include_usage: true },
						max_completion_tokens: this.maxTokens,
						...(input.safetyId ? { safety_identifier: input.safetyId } : {}),
						...(offer ? { tools: toolbox.functions.map((f) => ({ type: 'function' as const, function: f })) } : {}),
						messages,
					},
					{ signal },
				)
				const calls = new ToolCallAccumulator()
				let said = ''
				for await (const chunk of stream) {
					if (chunk.usage) input.usage?.({ input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens })
					const delta = chunk.choices[0]?.delta
					if (delta?.content) {
						said += delta.content
						for (const s of splitter.push(delta.content)) out.push(s)
					}
					if (offer) calls.push(delta?.tool_calls)
				}
				const made = calls.done
				if (made.length === 0 || signal.aborted) break
				messages.push({
					role: 'assistant',
					content: said || null,
					tool_calls: made.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
				})
				for (const c of made) {
					const { result } = await toolbox.call(c.name, c.arguments, signal)
					messages.push({ role: 'tool', tool_call_id: c.id, content: result.ok ? result.content : `failed: ${result.content}` })
				}
			}
			const rest = splitter.flush()
			if (rest) out.push(rest)
			out.end()
		} catch (err) {
			out.fail(this.wrap('chat', err, signal))
		}
	}

	/**
	 * The turn as Ogg Opus: the toy's own packets when it sent Opus, else the PCM encoded once
	 * (a tenth of the WAV's size). Undefined without a codec or at a rate Opus cannot take.
	 */
	/** Transcription takes the toy's own packets as Ogg Opus; PCM only when they cannot make one file. */
	needsPcm(turn: PcmQuestion): boolean {
		return !this.codec || uniformFrame(turn.opusPackets) === 0
	}

	private uploadOgg(input: TurnInput): Uint8Array | undefined {
		const codec = this.codec
		if (!codec) return undefined
		const frame = uniformFrame(input.opusPackets)
		if (frame > 0) return codec.muxOggOpus(input.opusPackets!, frame, input.opusRate ?? input.sampleRate)
		const rate = input.sampleRate
		if (!isOpusRate(rate) || input.pcm.length === 0) return undefined
		const enc = codec.createEncoder(rate, 1, 'voip')
		enc.setBitrate(24_000)
		enc.setComplexity(5)
		const n = (rate * 60) / 1000
		const block = new Int16Array(n)
		const buf = new Uint8Array(1500)
		const out: Uint8Array[] = []
		for (let at = 0; at < input.pcm.length; at += n) {
			block.fill(0)
			block.set(input.pcm.subarray(at, Math.min(at + n, input.pcm.length)))
			out.push(buf.slice(0, enc.encode(block, buf)))
		}
		enc.free()
		return codec.muxOggOpus(out, 2880, rate)
	}

	private async *speak(sentence: string, input: TurnInput, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
		const d = input.downlink
		// Opus only for Opus toys: a pcm16 toy would have to decode it again.
		if (this.codec && d?.format === 'opus' && isOpusRate(d.sampleRate)) {
			yield* this.speakOpus(sentence, this.codec, d.sampleRate, signal)
			return
		}
		const body = await this.requestSpeech(sentence, 'pcm', signal)
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

	private async requestSpeech(
		sentence: string,
		format: 'pcm' | 'opus',
		signal: AbortSignal,
	): Promise<ReadableStream<Uint8Array> | null> {
		try {
			const res = await this.client.audio.speech.create(
				{ model: this.ttsModel, voice: this.voice, input: sentence, response_format: format },
				{ signal },
			)
			return res.body
		} catch (err) {
			throw this.wrap('speech', err, signal)
		}
	}

	/**
	 * Speech as Ogg Opus, demuxed as it streams. Packets are yielded at the toy's rate: Opus packets
	 * carry no rate, any decoder rate plays them, so the session passes them through when their
	 * frame length matches the toy's and otherwise decodes them at the toy's rate (no resampling).
	 */
	private async *speakOpus(sentence: string, codec: Codec, rate: OpusRate, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
		const body = await this.requestSpeech(sentence, 'opus', signal)
		if (!body) return
		const reader = body.getReader()
		const demux = codec.createOggDemuxer()
		try {
			while (true) {
				const { done, value } = await reader.read()
				if (signal.aborted) return
				if (value) yield* opusEvents(demux.push(value), rate)
				if (done) {
					demux.end()
					return
				}
			}
		} catch (err) {
			throw this.wrap('speech', err, signal)
		} finally {
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

function isOpusRate(rate: number): rate is OpusRate {
	return rate === 8000 || rate === 12000 || rate === 16000 || rate === 24000 || rate === 48000
}

/** Groups packets into events of one frame length each (an event carries one `frameMs`). */
function* opusEvents(packets: Uint8Array[], rate: OpusRate): Generator<ProviderEvent> {
	let start = 0
	for (let i = 1; i <= packets.length; i++) {
		if (i < packets.length && packetSamples48k(packets[i]) === packetSamples48k(packets[start])) continue
		const group = packets.slice(start, i)
		const ms = packetSamples48k(group[0]) / 48
		if (ms > 0) yield { type: 'opus', packets: group, sampleRate: rate, frameMs: ms }
		start = i
	}
}

/** The one frame length (48 kHz samples) all packets share, or 0: Ogg's OpusHead has none per packet. */
function uniformFrame(packets: readonly Uint8Array[] | undefined): number {
	if (!packets || packets.length === 0) return 0
	const frame = packetSamples48k(packets[0])
	return frame > 0 && packets.every((p) => packetSamples48k(p) === frame) ? frame : 0
}
