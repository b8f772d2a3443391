// A fake of the OpenAI Realtime API (GA event names) on loopback, for tests that drive the real
// `openai` SDK's OpenAIRealtimeWebSocket. It speaks the same protocol: the `realtime` subprotocol
// with the key in `openai-insecure-api-key.<key>`, session.update → session.updated, the input
// audio buffer (append / commit, or its own server VAD), conversation items, responses streamed
// as response.output_audio.delta (base64 pcm16 24 kHz) with transcript deltas, response.cancel,
// conversation.item.truncate (refused past the audio actually generated, like the real API), and
// `error` events in the real shape. What the model says and how fast is scripted.
// The key is accepted in an `Authorization: Bearer` header too (what a server-side client sends),
// and each connection records how it authenticated. Input transcription finishes when
// `transcriptDelayMs` says, before or after the response (the API allows either order), and
// response.done reports usage in the real shape.

import type { ServerWebSocket } from 'bun'
import type { ScriptedToolCall } from './fake-openai'

export interface FakeRealtimeBehaviour {
	/** The assistant's spoken answer (its transcript); audio is a tone, 60 ms per character. */
	answer: string
	/** What input transcription returns for committed audio. */
	transcript: string
	/** Delay before the first audio delta of a response. */
	firstAudioMs: number
	/** Delay between audio deltas (each is `chunkMs` of audio). */
	betweenChunksMs: number
	chunkMs: number
	/** From commit to input transcription completed; may be after the whole response. */
	transcriptDelayMs: number
	/** Input transcription fails instead (conversation.item.input_audio_transcription.failed). */
	transcriptFails: boolean
	/**
	 * Scripted tool use, as in the chat fake: when the child's last words contain `when` and the
	 * session offers the function `tool`, the response is that call (response.function_call_arguments.*);
	 * the response after its function_call_output says `reply(output)`, or `answer`.
	 */
	toolCalls: ScriptedToolCall[]
}

/** What a response.done reported, for assertions on metering. */
export interface FakeRealtimeUsage {
	input_tokens: number
	output_tokens: number
}

export interface FakeRealtimeConnection {
	model: string
	/** Every client event received, in order. */
	received: Array<{ type: string } & Record<string, unknown>>
	/** The session as last updated. */
	session: Record<string, unknown>
	/** Assistant items: id, generated audio ms, and audio_end_ms once truncated. */
	items: Array<{ id: string; role: string; audioMs: number; truncatedAt?: number; text: string; callId?: string }>
	closed: boolean
	/** How the client authenticated and identified itself when it connected. */
	handshake: { authorization: string | null; protocols: string[]; safetyIdentifier: string | null }
	/** Usage of each response.done sent, in order. */
	usages: FakeRealtimeUsage[]
}

export interface FakeRealtime {
	/** Base URL for the SDK (http; the provider maps it to ws). */
	url: string
	connections: FakeRealtimeConnection[]
	setBehaviour(patch: Partial<FakeRealtimeBehaviour>): void
	/** The next `count` response.create get an `error` event (server_error) instead of a response. */
	failNextResponses(count: number): void
	stop(): Promise<void>
}

interface Conn {
	state: FakeRealtimeConnection
	buffer: Int16Array[]
	bufferedMs: number
	response: { id: string; cancelled: boolean } | undefined
	vad: { speaking: boolean; silenceMs: number; startMs: number }
}

const RATE = 24000
let counter = 0
const id = (prefix: string) => `${prefix}_fake${(counter++).toString(36).padStart(6, '0')}`

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

function tone(ms: number, offset: number): Int16Array {
	const n = Math.round((RATE * ms) / 1000)
	const out = new Int16Array(n)
	for (let i = 0; i < n; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (offset + i)) / RATE))
	return out
}

const b64 = (pcm: Int16Array) => Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64')

function fromB64(s: string): Int16Array {
	const buf = Buffer.from(s, 'base64')
	const out = new Int16Array(buf.length >> 1)
	for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2)
	return out
}

function rms(pcm: Int16Array): number {
	let s = 0
	for (const x of pcm) s += x * x
	return Math.sqrt(s / Math.max(1, pcm.length))
}

const defaultSession = (model: string) => ({
	type: 'realtime',
	object: 'realtime.session',
	id: id('sess'),
	model,
	output_modalities: ['audio'],
	instructions: '',
	tools: [],
	tool_choice: 'auto',
	max_output_tokens: 'inf',
	tracing: null,
	prompt: null,
	expires_at: Math.floor(Date.now() / 1000) + 3600,
	include: null,
	audio: {
		input: {
			format: { type: 'audio/pcm', rate: RATE },
			transcription: null,
			noise_reduction: null,
			turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200, create_response: true, interrupt_response: true, idle_timeout_ms: null },
		},
		output: { format: { type: 'audio/pcm', rate: RATE }, voice: 'alloy', speed: 1 },
	},
})

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = { ...a }
	for (const [k, v] of Object.entries(b)) {
		const cur = out[k]
		out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' ? merge(cur as Record<string, unknown>, v as Record<string, unknown>) : v
	}
	return out
}

/** The loopback certificate in test/support/tls: a client must be told to trust it. */
export const FAKE_TLS = { cert: Bun.file(new URL('./tls/cert.pem', import.meta.url).pathname), key: Bun.file(new URL('./tls/key.pem', import.meta.url).pathname) }

/** `tls`: serve wss (an https base URL), as the real API does, with the loopback certificate. */
export async function startFakeRealtime(opts: Partial<FakeRealtimeBehaviour> & { tls?: boolean } = {}): Promise<FakeRealtime> {
	const { tls: _tls, ...scripted } = opts
	const behaviour: FakeRealtimeBehaviour = {
		answer: 'Hello there, little friend! Dragons love to bake cookies.',
		transcript: 'Tell me about dragons',
		firstAudioMs: 0,
		betweenChunksMs: 0,
		chunkMs: 100,
		transcriptDelayMs: 5,
		transcriptFails: false,
		toolCalls: [],
		...scripted,
	}
	const connections: FakeRealtimeConnection[] = []
	let failResponses = 0

	function send(ws: ServerWebSocket<Conn>, event: Record<string, unknown>) {
		if (ws.data.state.closed) return
		ws.send(JSON.stringify({ event_id: id('event'), ...event }))
	}

	function error(ws: ServerWebSocket<Conn>, message: string, code: string | null, type = 'invalid_request_error', eventId: unknown = null) {
		send(ws, { type: 'error', error: { type, code, message, param: null, event_id: eventId ?? null } })
	}

	function commit(ws: ServerWebSocket<Conn>, eventId: unknown): boolean {
		const c = ws.data
		if (c.bufferedMs < 100) {
			error(ws, `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${c.bufferedMs.toFixed(2)}ms of audio.`, 'input_audio_buffer_commit_empty', 'invalid_request_error', eventId)
			return false
		}
		const itemId = id('item')
		const previous = c.state.items.at(-1)?.id ?? null
		c.state.items.push({ id: itemId, role: 'user', audioMs: c.bufferedMs, text: behaviour.transcript })
		c.buffer = []
		c.bufferedMs = 0
		send(ws, { type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: itemId })
		send(ws, { type: 'conversation.item.added', previous_item_id: previous, item: { id: itemId, object: 'realtime.item', type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] } })
		const audio = c.state.session.audio as { input?: { transcription?: { model?: string } | null } }
		if (audio?.input?.transcription) {
			const seconds = c.state.items.at(-1)!.audioMs / 1000
			const fails = behaviour.transcriptFails
			setTimeout(() => {
				if (fails)
					send(ws, { type: 'conversation.item.input_audio_transcription.failed', item_id: itemId, content_index: 0, error: { type: 'transcription_error', code: 'audio_unintelligible', message: 'Audio could not be transcribed.', param: null } })
				else
					send(ws, { type: 'conversation.item.input_audio_transcription.completed', item_id: itemId, content_index: 0, transcript: behaviour.transcript, usage: { type: 'duration', seconds } })
			}, behaviour.transcriptDelayMs)
		}
		return true
	}

	async function respond(ws: ServerWebSocket<Conn>, eventId: unknown) {
		const c = ws.data
		if (c.response) return error(ws, `Conversation already has an active response in progress: ${c.response.id}. Wait until the response is finished before creating a new one.`, 'conversation_already_has_active_response', 'invalid_request_error', eventId)
		if (failResponses > 0) {
			failResponses--
			return error(ws, 'The server had an error while processing your request. Sorry about that!', null, 'server_error', eventId)
		}
		const r = { id: id('resp'), cancelled: false }
		c.response = r
		const items = c.state.items
		const said = items.filter((i) => i.role === 'user').at(-1)?.text.toLowerCase() ?? ''
		const script = behaviour.toolCalls.find((t) => said.includes(t.when.toLowerCase()))
		const last = items.at(-1)
		const offered = ((c.state.session.tools as Array<{ name?: string }> | undefined) ?? []).map((t) => t.name)
		const calledSince = items.slice(items.findLastIndex((i) => i.role === 'user')).some((i) => i.role === 'function_call')
		if (script && !calledSince && offered.includes(script.tool)) return callTool(ws, r, script)
		const answer = script && last?.role === 'tool' ? (script.reply?.(last.text) ?? behaviour.answer) : behaviour.answer
		const base = { object: 'realtime.response', id: r.id, conversation_id: id('conv'), output_modalities: ['audio'], max_output_tokens: 'inf', audio: { output: { format: { type: 'audio/pcm', rate: RATE }, voice: 'alloy' } }, usage: null, metadata: null }
		send(ws, { type: 'response.created', response: { ...base, status: 'in_progress', status_details: null, output: [] } })
		const itemId = id('item')
		const item = { id: itemId, role: 'assistant', audioMs: 0, text: answer }
		c.state.items.push(item)
		const at = { response_id: r.id, item_id: itemId, output_index: 0, content_index: 0 }
		send(ws, { type: 'response.output_item.added', response_id: r.id, output_index: 0, item: { id: itemId, object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] } })
		send(ws, { type: 'response.content_part.added', ...at, part: { type: 'audio', transcript: '' } })
		const words = answer.match(/\S+\s*/g) ?? []
		const totalMs = answer.length * 60
		await sleep(behaviour.firstAudioMs)
		let sent = 0
		let w = 0
		while (sent < totalMs && !r.cancelled && !c.state.closed) {
			// The transcript runs a little ahead of the audio, as the real model's does.
			const upto = Math.ceil(((sent + behaviour.chunkMs) / totalMs) * words.length)
			for (; w < Math.min(upto, words.length); w++) send(ws, { type: 'response.output_audio_transcript.delta', ...at, delta: words[w] })
			const ms = Math.min(behaviour.chunkMs, totalMs - sent)
			send(ws, { type: 'response.output_audio.delta', ...at, delta: b64(tone(ms, (sent * RATE) / 1000)) })
			sent += ms
			item.audioMs = sent
			if (behaviour.betweenChunksMs) await sleep(behaviour.betweenChunksMs)
		}
		c.response = undefined
		if (c.state.closed) return
		const status = r.cancelled ? 'cancelled' : 'completed'
		if (!r.cancelled) {
			send(ws, { type: 'response.output_audio.done', ...at })
			send(ws, { type: 'response.output_audio_transcript.done', ...at, transcript: answer })
			send(ws, { type: 'response.content_part.done', ...at, part: { type: 'audio', transcript: answer } })
		}
		const content = [{ type: 'output_audio', transcript: r.cancelled ? words.slice(0, w).join('') : answer }]
		// Deterministic stand-ins for the real counts: text by words, audio by duration.
		const inputText = 40 + c.state.items.filter((i) => i.role !== 'assistant').reduce((n, i) => n + Math.ceil(i.text.length / 4), 0)
		const inputAudio = Math.ceil(c.state.items.filter((i) => i.role === 'user').reduce((n, i) => n + i.audioMs, 0) / 100)
		const outText = w
		const outAudio = Math.ceil(sent / 50)
		const usage = {
			total_tokens: inputText + inputAudio + outText + outAudio,
			input_tokens: inputText + inputAudio,
			output_tokens: outText + outAudio,
			input_token_details: { text_tokens: inputText, audio_tokens: inputAudio, image_tokens: 0, cached_tokens: 0, cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 } },
			output_token_details: { text_tokens: outText, audio_tokens: outAudio },
		}
		c.state.usages.push({ input_tokens: usage.input_tokens, output_tokens: usage.output_tokens })
		send(ws, { type: 'response.output_item.done', response_id: r.id, output_index: 0, item: { id: itemId, object: 'realtime.item', type: 'message', status: r.cancelled ? 'incomplete' : 'completed', role: 'assistant', content } })
		send(ws, {
			type: 'response.done',
			response: { ...base, usage, status, status_details: r.cancelled ? { type: 'cancelled', reason: 'client_cancelled' } : null, output: [{ id: itemId, object: 'realtime.item', type: 'message', role: 'assistant', content }] },
		})
	}

	/** A response that is a function call, streamed as the API does: item, argument deltas, done. */
	async function callTool(ws: ServerWebSocket<Conn>, r: { id: string; cancelled: boolean }, script: ScriptedToolCall) {
		const c = ws.data
		const base = { object: 'realtime.response', id: r.id, conversation_id: id('conv'), output_modalities: ['audio'], max_output_tokens: 'inf', audio: { output: { format: { type: 'audio/pcm', rate: RATE }, voice: 'alloy' } }, usage: null, metadata: null }
		send(ws, { type: 'response.created', response: { ...base, status: 'in_progress', status_details: null, output: [] } })
		const itemId = id('item')
		const callId = id('call')
		const args = JSON.stringify(script.args)
		c.state.items.push({ id: itemId, role: 'function_call', audioMs: 0, text: script.tool, callId })
		const item = { id: itemId, object: 'realtime.item', type: 'function_call', name: script.tool, call_id: callId }
		send(ws, { type: 'response.output_item.added', response_id: r.id, output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } })
		await sleep(behaviour.firstAudioMs)
		for (let at = 0; at < args.length && !r.cancelled; at += 8) {
			send(ws, { type: 'response.function_call_arguments.delta', response_id: r.id, item_id: itemId, output_index: 0, call_id: callId, delta: args.slice(at, at + 8) })
		}
		c.response = undefined
		if (c.state.closed) return
		const status = r.cancelled ? 'cancelled' : 'completed'
		if (!r.cancelled) send(ws, { type: 'response.function_call_arguments.done', response_id: r.id, item_id: itemId, output_index: 0, call_id: callId, name: script.tool, arguments: args })
		const done = { ...item, status: r.cancelled ? 'incomplete' : 'completed', arguments: args }
		send(ws, { type: 'response.output_item.done', response_id: r.id, output_index: 0, item: done })
		const usage = { total_tokens: 60, input_tokens: 50, output_tokens: 10, input_token_details: { text_tokens: 50, audio_tokens: 0, image_tokens: 0, cached_tokens: 0, cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 } }, output_token_details: { text_tokens: 10, audio_tokens: 0 } }
		c.state.usages.push({ input_tokens: usage.input_tokens, output_tokens: usage.output_tokens })
		send(ws, { type: 'response.done', response: { ...base, usage, status, status_details: r.cancelled ? { type: 'cancelled', reason: 'client_cancelled' } : null, output: [done] } })
	}

	function serverVad(ws: ServerWebSocket<Conn>, pcm: Int16Array) {
		const c = ws.data
		const td = (c.state.session.audio as { input?: { turn_detection?: { type?: string; silence_duration_ms?: number } | null } })?.input?.turn_detection
		if (!td || td.type !== 'server_vad') return
		const ms = (pcm.length / RATE) * 1000
		const loud = rms(pcm) > 500
		if (loud && !c.vad.speaking) {
			c.vad = { speaking: true, silenceMs: 0, startMs: c.bufferedMs - ms }
			if (c.response) c.response.cancelled = true // interrupt_response
			send(ws, { type: 'input_audio_buffer.speech_started', audio_start_ms: Math.max(0, Math.round(c.vad.startMs)), item_id: id('item') })
		} else if (c.vad.speaking) {
			c.vad.silenceMs = loud ? 0 : c.vad.silenceMs + ms
			if (c.vad.silenceMs >= (td.silence_duration_ms ?? 500)) {
				c.vad.speaking = false
				send(ws, { type: 'input_audio_buffer.speech_stopped', audio_end_ms: Math.round(c.bufferedMs), item_id: id('item') })
				if (commit(ws, null)) void respond(ws, null)
			}
		}
	}

	function handle(ws: ServerWebSocket<Conn>, raw: string) {
		const c = ws.data
		let ev: { type?: unknown; event_id?: unknown } & Record<string, unknown>
		try {
			ev = JSON.parse(raw)
		} catch {
			return error(ws, 'Invalid JSON in message.', 'invalid_json')
		}
		if (typeof ev.type !== 'string') return error(ws, "Missing required parameter: 'type'.", 'missing_required_parameter')
		c.state.received.push(ev as { type: string })
		switch (ev.type) {
			case 'session.update': {
				const s = ev.session as Record<string, unknown> | undefined
				if (!s || s.type !== 'realtime') return error(ws, "Missing required parameter: 'session.type'.", 'missing_required_parameter', 'invalid_request_error', ev.event_id)
				for (const [i, t] of ((s.tools as Array<{ type?: unknown; name?: unknown }> | undefined) ?? []).entries()) {
					if (t.type !== 'function') return error(ws, `Invalid value for 'session.tools[${i}].type'.`, 'invalid_value', 'invalid_request_error', ev.event_id)
					if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.name))
						return error(ws, `Invalid 'session.tools[${i}].name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, 'invalid_value', 'invalid_request_error', ev.event_id)
				}
				c.state.session = merge(c.state.session, s)
				return send(ws, { type: 'session.updated', session: c.state.session })
			}
			case 'input_audio_buffer.append': {
				if (typeof ev.audio !== 'string') return error(ws, "Missing required parameter: 'audio'.", 'missing_required_parameter', 'invalid_request_error', ev.event_id)
				const pcm = fromB64(ev.audio)
				c.buffer.push(pcm)
				c.bufferedMs += (pcm.length / RATE) * 1000
				return serverVad(ws, pcm)
			}
			case 'input_audio_buffer.commit':
				return void commit(ws, ev.event_id)
			case 'input_audio_buffer.clear':
				c.buffer = []
				c.bufferedMs = 0
				return send(ws, { type: 'input_audio_buffer.cleared' })
			case 'conversation.item.create': {
				const item = ev.item as { type?: string; role?: string; content?: Array<{ text?: string }>; call_id?: unknown; output?: unknown } | undefined
				if (item?.type === 'function_call_output') {
					const call = c.state.items.find((i) => i.role === 'function_call' && i.callId === item.call_id)
					if (!call) return error(ws, `Tool call ID '${String(item.call_id)}' not found in conversation.`, 'invalid_value', 'invalid_request_error', ev.event_id)
					if (typeof item.output !== 'string') return error(ws, "Missing required parameter: 'item.output'.", 'missing_required_parameter', 'invalid_request_error', ev.event_id)
					const itemId = id('item')
					const previous = c.state.items.at(-1)?.id ?? null
					c.state.items.push({ id: itemId, role: 'tool', audioMs: 0, text: item.output, callId: call.callId })
					return send(ws, { type: 'conversation.item.added', previous_item_id: previous, item: { id: itemId, object: 'realtime.item', status: 'completed', ...item } })
				}
				if (!item || item.type !== 'message') return error(ws, "Missing required parameter: 'item.type'.", 'missing_required_parameter', 'invalid_request_error', ev.event_id)
				const itemId = id('item')
				const previous = c.state.items.at(-1)?.id ?? null
				c.state.items.push({ id: itemId, role: item.role ?? 'user', audioMs: 0, text: item.content?.map((p) => p.text ?? '').join(' ') ?? '' })
				return send(ws, { type: 'conversation.item.added', previous_item_id: previous, item: { id: itemId, object: 'realtime.item', status: 'completed', ...item } })
			}
			case 'response.create':
				return void respond(ws, ev.event_id)
			case 'response.cancel':
				if (!c.response) return error(ws, 'Cancellation failed: no active response found', 'response_cancel_not_active', 'invalid_request_error', ev.event_id)
				c.response.cancelled = true
				return
			case 'conversation.item.truncate': {
				const item = c.state.items.find((i) => i.id === ev.item_id)
				if (!item) return error(ws, `Conversation item with id '${ev.item_id}' not found.`, 'item_truncate_invalid_item_id', 'invalid_request_error', ev.event_id)
				if (item.role !== 'assistant') return error(ws, 'Only assistant messages can be truncated.', 'invalid_value', 'invalid_request_error', ev.event_id)
				const end = ev.audio_end_ms
				if (typeof end !== 'number' || end < 0 || end > item.audioMs)
					return error(ws, `Audio content of ${item.audioMs}ms is shorter than ${String(end)}ms.`, 'invalid_value', 'invalid_request_error', ev.event_id)
				item.truncatedAt = end
				// Like the real API: the transcript the child never heard is gone from the model's memory.
				item.text = ''
				return send(ws, { type: 'conversation.item.truncated', item_id: item.id, content_index: ev.content_index ?? 0, audio_end_ms: end })
			}
			default:
				return error(ws, `Invalid value: '${ev.type}'. Supported values are: 'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', 'conversation.item.create', 'conversation.item.truncate', 'conversation.item.delete', 'conversation.item.retrieve', 'response.create', 'response.cancel', 'output_audio_buffer.clear'.`, 'invalid_value', 'invalid_request_error', ev.event_id)
		}
	}

	const server = Bun.serve<Conn>({
		hostname: '127.0.0.1',
		port: 0,
		...(opts.tls ? { tls: FAKE_TLS } : {}),
		fetch(req, srv) {
			const url = new URL(req.url)
			if (url.pathname !== '/v1/realtime') return Response.json({ error: { message: `Invalid URL (${req.method} ${url.pathname})`, type: 'invalid_request_error', param: null, code: null } }, { status: 404 })
			const protocols = (req.headers.get('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim())
			const authorization = req.headers.get('authorization')
			const key = protocols.find((p) => p.startsWith('openai-insecure-api-key.'))?.slice(24) ?? authorization?.replace(/^Bearer /, '')
			if (!key) return Response.json({ error: { message: "You didn't provide an API key.", type: 'invalid_request_error', param: null, code: null } }, { status: 401 })
			const model = url.searchParams.get('model') ?? ''
			if (!model) return Response.json({ error: { message: "Missing required parameter: 'model'.", type: 'invalid_request_error', param: 'model', code: 'missing_required_parameter' } }, { status: 400 })
			const handshake = { authorization, protocols: protocols.filter(Boolean), safetyIdentifier: req.headers.get('openai-safety-identifier') }
			const state: FakeRealtimeConnection = { model, received: [], session: defaultSession(model), items: [], closed: false, handshake, usages: [] }
			const data: Conn = { state, buffer: [], bufferedMs: 0, response: undefined, vad: { speaking: false, silenceMs: 0, startMs: 0 } }
			const headers = protocols.includes('realtime') ? { 'Sec-WebSocket-Protocol': 'realtime' } : undefined
			if (srv.upgrade(req, { data, headers })) return undefined
			return new Response('Upgrade required', { status: 426 })
		},
		websocket: {
			open(ws) {
				connections.push(ws.data.state)
				send(ws, { type: 'session.created', session: ws.data.state.session })
			},
			message(ws, msg) {
				handle(ws, typeof msg === 'string' ? msg : Buffer.from(msg).toString())
			},
			close(ws) {
				ws.data.state.closed = true
			},
		},
	})

	return {
		url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${server.port}/v1`,
		connections,
		setBehaviour(patch) {
			Object.assign(behaviour, patch)
		},
		failNextResponses(count) {
			failResponses += count
		},
		async stop() {
			await server.stop(true)
		},
	}
}
