// A fake of the OpenAI REST API on loopback, for tests that drive the real `openai` SDK.
// It follows the real API's paths, request shapes, SSE framing, error bodies and status codes
// closely enough that the SDK cannot tell the difference; what it says is scripted.
//
//   const fake = await startFakeOpenAI()
//   new OpenAI({ apiKey: 'test', baseURL: fake.url })
//
// It is independent of the gateway's own code on purpose (audio comes from espeak-ng + sox, or a
// tone), so a bug in the gateway's WAV or PCM handling cannot hide behind the same bug here.
// `response_format: 'opus'` speech is what the real endpoint sends: an Ogg Opus file whose OpusHead
// says 48 kHz, in 20 ms packets, encoded by opusscript at 48 kHz and muxed by the codec's
// TypeScript Ogg writer (the demuxer under test is the gateway's, on the other end).

import OpusScript from 'opusscript'
import { muxOggOpus } from '../../gateway/src/codec/ogg'

export type FakeRoute = 'chat/completions' | 'audio/transcriptions' | 'audio/speech' | 'moderations' | 'models'

export type ModerationCategory =
	| 'harassment'
	| 'harassment/threatening'
	| 'hate'
	| 'hate/threatening'
	| 'illicit'
	| 'illicit/violent'
	| 'self-harm'
	| 'self-harm/intent'
	| 'self-harm/instructions'
	| 'sexual'
	| 'sexual/minors'
	| 'violence'
	| 'violence/graphic'

const CATEGORIES: readonly ModerationCategory[] = [
	'harassment',
	'harassment/threatening',
	'hate',
	'hate/threatening',
	'illicit',
	'illicit/violent',
	'self-harm',
	'self-harm/intent',
	'self-harm/instructions',
	'sexual',
	'sexual/minors',
	'violence',
	'violence/graphic',
]

export interface RouteDelay {
	/** Milliseconds before the response starts (status and headers). */
	firstByteMs?: number
	/** Milliseconds between SSE chunks (chat) or audio chunks (speech). */
	betweenChunksMs?: number
}

export interface FakeBehaviour {
	/** The assistant's answer, streamed a word or punctuation mark per chunk. */
	chatAnswer: string
	/** What transcription returns. */
	transcript: string
	/** 'espeak' renders the input with espeak-ng and resamples with sox; 'tone' is a 440 Hz tone, 60 ms per character. */
	speech: 'espeak' | 'tone'
	/** Bytes per chunk of a speech response body. */
	speechChunkBytes: number
	/** Frame length of `response_format: 'opus'` speech: the real API's is 20 ms, a toy's downlink 60 ms. */
	speechOpusFrameMs: 20 | 40 | 60
	/**
	 * How the fake's encoder is tuned: 'audio' keeps one configuration (CELT, fullband) for the whole
	 * file; 'voip' lets libopus move between CELT and hybrid mid-stream, as encoders do.
	 */
	speechOpusApplication: 'audio' | 'voip'
	delays: Partial<Record<FakeRoute, RouteDelay>>
	/** Words (case-insensitive) that make a moderation input flagged, with their category. */
	flaggedWords: Record<string, ModerationCategory>
	/**
	 * A scripted classifier: the categories an input is flagged for. When set it replaces
	 * `flaggedWords` (the safety bench scripts one from the corpus labels).
	 */
	classify?: (input: string) => readonly ModerationCategory[]
	/** When set, only this key is accepted (otherwise any non-empty bearer). */
	apiKey?: string
}

export interface FakeFailure {
	status: number
	/** How many of the next matching requests fail. */
	count: number
	/** Only requests to this route; all routes when omitted. */
	route?: FakeRoute
	message?: string
}

export interface FakeRequest {
	path: string
	method: string
	/** JSON body, or for multipart the fields (files described as {filename, type, size, bytes}). */
	body: unknown
	/** Set when the client went away before the response was complete (abort, cancel). */
	closedEarly: boolean
	/** Set when the whole response was written. */
	completed: boolean
	/** performance.now() when the first body chunk of a streamed response was handed to the socket (benchmarks). */
	firstByteAt?: number
}

export interface FakeOpenAI {
	/** Base URL for the SDK, ending in /v1. */
	url: string
	requests: FakeRequest[]
	setBehaviour(patch: Partial<FakeBehaviour>): void
	/** Makes the next `count` requests (to `route`, or any) fail with `status` in OpenAI's error shape. */
	failNext(failure: FakeFailure): void
	stop(): Promise<void>
}

interface FileField {
	filename: string
	type: string
	size: number
	bytes: Uint8Array
}

const sleep = (ms: number, signal?: AbortSignal) =>
	new Promise<void>((resolve) => {
		if (!ms || signal?.aborted) return resolve()
		const t = setTimeout(resolve, ms)
		signal?.addEventListener('abort', () => {
			clearTimeout(t)
			resolve()
		})
	})

let counter = 0
const newId = (prefix: string) => `${prefix}-fake${Date.now().toString(36)}${(counter++).toString(36)}`

function errorResponse(status: number, message: string, type: string, param: string | null = null, code: string | null = null) {
	return Response.json(
		{ error: { message, type, param, code } },
		{ status, headers: { 'x-request-id': newId('req') } },
	)
}

function failureResponse(status: number, message?: string): Response {
	if (status === 401) return errorResponse(401, message ?? 'Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key')
	if (status === 429) return errorResponse(429, message ?? 'Rate limit reached for requests.', 'requests', null, 'rate_limit_exceeded')
	if (status === 400) return errorResponse(400, message ?? 'Bad request.', 'invalid_request_error')
	if (status === 503) return errorResponse(503, message ?? 'The engine is currently overloaded, please try again later.', 'server_error')
	if (status >= 500)
		return errorResponse(status, message ?? 'The server had an error while processing your request. Sorry about that!', 'server_error')
	return errorResponse(status, message ?? `Request failed with status ${status}.`, 'invalid_request_error')
}

const missing = (param: string) =>
	errorResponse(400, `Missing required parameter: '${param}'.`, 'invalid_request_error', param, 'missing_required_parameter')

/** Splits text the way a token stream looks: words with their leading space, punctuation alone. */
export function tokenize(text: string): string[] {
	return text.match(/\s*[\p{L}\p{N}']+|\s*[^\p{L}\p{N}'\s]|\s+$/gu) ?? []
}

/** Speech as s16le mono at `rate`; the `pcm` format is 24 kHz, Opus is encoded from 48 kHz. */
async function renderPcm(text: string, mode: FakeBehaviour['speech'], rate = 24000): Promise<Uint8Array> {
	if (mode === 'espeak') {
		const espeak = Bun.spawn(['espeak-ng', '--stdout', '-v', 'en-us'], { stdin: new TextEncoder().encode(text), stdout: 'pipe', stderr: 'ignore' })
		const sox = Bun.spawn(['sox', '-t', 'wav', '-', '-t', 'raw', '-r', String(rate), '-e', 'signed', '-b', '16', '-c', '1', '-L', '-'], {
			stdin: espeak.stdout,
			stdout: 'pipe',
			stderr: 'ignore',
		})
		const bytes = await new Response(sox.stdout).bytes()
		if ((await sox.exited) === 0 && bytes.length > 0) return bytes
	}
	// 60 ms of tone per character, at least 100 ms.
	const samples = Math.max(rate / 10, (text.length * rate * 60) / 1000)
	const out = new Uint8Array(samples * 2)
	const view = new DataView(out.buffer)
	for (let i = 0; i < samples; i++) view.setInt16(i * 2, Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), true)
	return out
}

/** 48 kHz s16le → Ogg Opus, as the real endpoint's `opus` format (a complete Ogg Opus file). */
function oggOpus(raw: Uint8Array, frameMs: number, application: FakeBehaviour['speechOpusApplication']): Uint8Array {
	const enc = new OpusScript(48000, 1, application === 'audio' ? OpusScript.Application.AUDIO : OpusScript.Application.VOIP)
	const frame = (48000 * frameMs) / 1000
	const pcm = new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + (raw.byteLength & ~1)))
	const packets: Uint8Array[] = []
	for (let at = 0; at < pcm.length; at += frame) {
		const block = new Int16Array(frame)
		block.set(pcm.subarray(at, Math.min(at + frame, pcm.length)))
		packets.push(new Uint8Array(enc.encode(Buffer.from(block.buffer), frame)))
	}
	enc.delete()
	return muxOggOpus(packets, frameMs * 48, 48000)
}

function moderate(input: string, words: Record<string, ModerationCategory>, classify?: FakeBehaviour['classify']) {
	const lower = input.toLowerCase()
	const hits = new Set(classify ? classify(input) : Object.entries(words).filter(([w]) => lower.includes(w.toLowerCase())).map(([, c]) => c))
	const categories = Object.fromEntries(CATEGORIES.map((c) => [c, hits.has(c)]))
	const category_scores = Object.fromEntries(CATEGORIES.map((c) => [c, hits.has(c) ? 0.97 : 0.0001]))
	const category_applied_input_types = Object.fromEntries(CATEGORIES.map((c) => [c, ['text']]))
	return { flagged: hits.size > 0, categories, category_scores, category_applied_input_types }
}

export async function startFakeOpenAI(opts: Partial<FakeBehaviour> = {}): Promise<FakeOpenAI> {
	const behaviour: FakeBehaviour = {
		chatAnswer: 'Once upon a time, a friendly dragon lived on a hill. It loved to bake cookies for everyone!',
		transcript: 'Hi Teddy! Can you tell me a story about a dragon?',
		speech: 'tone',
		speechChunkBytes: 4800,
		speechOpusFrameMs: 20,
		speechOpusApplication: 'audio',
		delays: {},
		flaggedWords: {},
		...opts,
	}
	const failures: FakeFailure[] = []
	const requests: FakeRequest[] = []

	function takeFailure(route: FakeRoute): FakeFailure | undefined {
		const f = failures.find((x) => x.count > 0 && (!x.route || x.route === route))
		if (f) f.count--
		return f
	}

	/** A streamed body that notes whether the client stayed to the end. */
	function stream(record: FakeRequest, signal: AbortSignal, pieces: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
		const it = pieces[Symbol.asyncIterator]()
		return new ReadableStream({
			async pull(ctl) {
				if (signal.aborted) {
					record.closedEarly = true
					return ctl.close()
				}
				const { done, value } = await it.next()
				if (done) {
					if (signal.aborted) record.closedEarly = true
					else record.completed = !record.closedEarly
					ctl.close()
				} else {
					record.firstByteAt ??= performance.now()
					ctl.enqueue(value)
				}
			},
			cancel() {
				record.closedEarly = true
			},
		})
	}

	async function chat(body: Record<string, unknown>, record: FakeRequest, signal: AbortSignal): Promise<Response> {
		if (typeof body.model !== 'string') return missing('model')
		if (!Array.isArray(body.messages)) return missing('messages')
		if (body.messages.length === 0)
			return errorResponse(400, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'invalid_request_error', 'messages', 'empty_array')
		const model = body.model
		const id = newId('chatcmpl')
		const created = Math.floor(Date.now() / 1000)
		const answer = behaviour.chatAnswer
		const headers = { 'x-request-id': newId('req') }
		if (body.stream !== true) {
			record.completed = true
			return Response.json(
				{
					id,
					object: 'chat.completion',
					created,
					model,
					choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
					usage: { prompt_tokens: 50, completion_tokens: tokenize(answer).length, total_tokens: 50 + tokenize(answer).length },
					system_fingerprint: 'fp_fake',
				},
				{ headers },
			)
		}
		const gap = behaviour.delays['chat/completions']?.betweenChunksMs ?? 0
		const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true
		const enc = new TextEncoder()
		const frame = (delta: object, finish: string | null) =>
			enc.encode(
				`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) })}\n\n`,
			)
		async function* pieces() {
			yield frame({ role: 'assistant', content: '', refusal: null }, null)
			for (const token of tokenize(answer)) {
				await sleep(gap, signal)
				if (signal.aborted) return
				yield frame({ content: token }, null)
			}
			await sleep(gap, signal)
			if (signal.aborted) return
			yield frame({}, 'stop')
			if (includeUsage)
				yield enc.encode(
					`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 } })}\n\n`,
				)
			yield enc.encode('data: [DONE]\n\n')
		}
		return new Response(stream(record, signal, pieces()), {
			headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
		})
	}

	async function speech(body: Record<string, unknown>, record: FakeRequest, signal: AbortSignal): Promise<Response> {
		if (typeof body.model !== 'string') return missing('model')
		if (typeof body.input !== 'string') return missing('input')
		if (typeof body.voice !== 'string') return missing('voice')
		if (body.input.length > 4096)
			return errorResponse(400, "Invalid 'input': string too long. Expected a string with maximum length 4096.", 'invalid_request_error', 'input', 'string_above_max_length')
		const format = (body.response_format as string | undefined) ?? 'mp3'
		if (format !== 'pcm' && format !== 'opus')
			return errorResponse(400, `response_format '${format}' is unsupported in fake; use 'pcm' or 'opus'`, 'invalid_request_error', 'response_format', null)
		const pcm =
			format === 'opus'
				? oggOpus(await renderPcm(body.input, behaviour.speech, 48000), behaviour.speechOpusFrameMs, behaviour.speechOpusApplication)
				: await renderPcm(body.input, behaviour.speech)
		const size = behaviour.speechChunkBytes
		const gap = behaviour.delays['audio/speech']?.betweenChunksMs ?? 0
		async function* pieces() {
			for (let at = 0; at < pcm.length; at += size) {
				if (at > 0) await sleep(gap, signal)
				if (signal.aborted) return
				yield pcm.subarray(at, at + size)
			}
		}
		// The real endpoint streams with chunked transfer encoding and no content-length.
		return new Response(stream(record, signal, pieces()), {
			headers: { 'content-type': format === 'opus' ? 'audio/ogg' : 'application/octet-stream', 'x-request-id': newId('req') },
		})
	}

	function transcription(fields: Record<string, unknown>, record: FakeRequest): Response {
		const file = fields.file as FileField | undefined
		if (!file || typeof file !== 'object') return missing('file')
		if (typeof fields.model !== 'string') return missing('model')
		const b = file.bytes
		const magic = String.fromCharCode(...b.subarray(0, 4))
		const known = magic === 'RIFF' || magic === 'OggS' || magic === 'fLaC' || magic.startsWith('ID3') || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0) || magic === '\x1aE\xdf\xa3'
		if (!known)
			return errorResponse(400, "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']", 'invalid_request_error', null, null)
		record.completed = true
		const format = (fields.response_format as string | undefined) ?? 'json'
		if (format === 'text') return new Response(behaviour.transcript, { headers: { 'content-type': 'text/plain; charset=utf-8' } })
		if (format !== 'json')
			return errorResponse(400, `response_format '${format}' is not compatible with model '${fields.model}'. Use 'json' or 'text' instead.`, 'invalid_request_error', 'response_format', 'unsupported_value')
		return Response.json({ text: behaviour.transcript, usage: { type: 'tokens', input_tokens: 20, output_tokens: 12, total_tokens: 32 } }, { headers: { 'x-request-id': newId('req') } })
	}

	function moderations(body: Record<string, unknown>, record: FakeRequest): Response {
		const input = body.input
		const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map((x) => (typeof x === 'string' ? x : ((x as { text?: string }).text ?? ''))) : null
		if (!texts) return missing('input')
		record.completed = true
		return Response.json({ id: newId('modr'), model: (body.model as string) ?? 'omni-moderation-latest', results: texts.map((t) => moderate(t, behaviour.flaggedWords, behaviour.classify)) })
	}

	async function readBody(req: Request): Promise<Record<string, unknown> | Response> {
		const type = req.headers.get('content-type') ?? ''
		if (type.startsWith('multipart/form-data')) {
			const form = await req.formData()
			const fields: Record<string, unknown> = {}
			for (const [k, v] of form.entries()) {
				fields[k] = typeof v === 'string' ? v : { filename: v.name, type: v.type, size: v.size, bytes: new Uint8Array(await v.arrayBuffer()) }
			}
			return fields
		}
		const text = await req.text()
		try {
			const parsed = JSON.parse(text)
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed
		} catch {}
		return errorResponse(400, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)', 'invalid_request_error')
	}

	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		idleTimeout: 60,
		async fetch(req) {
			const url = new URL(req.url)
			const route = url.pathname.replace(/^\/v1\//, '') as FakeRoute
			const known: FakeRoute[] = ['chat/completions', 'audio/transcriptions', 'audio/speech', 'moderations', 'models']
			if (!url.pathname.startsWith('/v1/') || !known.includes(route))
				return errorResponse(404, `Invalid URL (${req.method} ${url.pathname})`, 'invalid_request_error')
			const auth = req.headers.get('authorization') ?? ''
			const key = auth.startsWith('Bearer ') ? auth.slice(7).trim() : ''
			if (!key)
				return errorResponse(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", 'invalid_request_error')
			if (behaviour.apiKey && key !== behaviour.apiKey)
				return errorResponse(401, 'Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key')
			if (route === 'models') {
				if (req.method !== 'GET') return errorResponse(405, 'Method not allowed.', 'invalid_request_error')
				return Response.json({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }] })
			}
			if (req.method !== 'POST') return errorResponse(405, 'Method not allowed.', 'invalid_request_error')

			const body = await readBody(req)
			if (body instanceof Response) return body
			const record: FakeRequest = { path: url.pathname, method: req.method, body, closedEarly: false, completed: false }
			requests.push(record)

			const signal = req.signal
			await sleep(behaviour.delays[route]?.firstByteMs ?? 0, signal)
			if (signal.aborted) {
				record.closedEarly = true
				return new Response(null, { status: 499 })
			}
			const failure = takeFailure(route)
			if (failure) return failureResponse(failure.status, failure.message)

			if (route === 'chat/completions') return chat(body, record, signal)
			if (route === 'audio/speech') return speech(body, record, signal)
			if (route === 'audio/transcriptions') return transcription(body, record)
			return moderations(body, record)
		},
	})

	return {
		url: `http://127.0.0.1:${server.port}/v1`,
		requests,
		setBehaviour(patch) {
			Object.assign(behaviour, patch)
		},
		failNext(failure) {
			failures.push({ ...failure })
		},
		async stop() {
			await server.stop(true)
		},
	}
}
