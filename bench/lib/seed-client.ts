// One conversational turn as a seed-json toy does it (PROTOCOL.md §3): connect with a v2 token,
// stream recorded Opus packets in real time, then collect the answer until `final:true`.
// Shared by the simulator CLI and the end-to-end tests.

import { randomUUID } from 'node:crypto'
import OpusScript from 'opusscript'
import { makeV2Token } from './token'

export interface SeedTurnOptions {
	/** Gateway base, e.g. ws://127.0.0.1:8000 (a path in it is replaced by `path`). */
	url: string
	path?: string
	deviceId: string
	/** Fleet secret used to make a fresh v2 token; ignored when `token` is given. */
	secret?: string
	token?: string
	child?: { id: string; name: string; age: number }
	/** Uplink Opus packets (16 kHz mono, `frameMs` each). Ignored for a typed turn. */
	packets?: readonly Uint8Array[]
	/** Sends `{type:'text'}` instead of audio. */
	text?: string
	frameMs?: number
	/** Send packets at real time (default) or as fast as possible. */
	paced?: boolean
	sampleRate?: number
	responseFormat?: 'opus' | 'pcm16' | 'mp3'
	/** Whole-turn limit from connect to the final piece. */
	timeoutMs?: number
}

export interface SeedTurnResult {
	packetsSent: number
	transcripts: string[]
	/** Texts carried by the audio pieces, deduplicated in order (the sentences of the answer). */
	answerTexts: string[]
	pieces: number
	/** Decoded answer audio (mono int16) at `sampleRate`; empty for mp3. */
	audio: Int16Array
	sampleRate: number
	audioSeconds: number
	mp3Bytes: number
	/** The MP3 pieces as they came (mp3 answers only), for a decoder. */
	mp3: Uint8Array[]
	/** From sending audio_end (or text) to the first audio_response piece. */
	firstPieceMs: number | null
	/** From sending audio_end (or text) to the final piece. */
	totalMs: number | null
	rms: number
	errors: Array<{ code: string; message: string }>
	final: boolean
	close: { code: number; reason: string } | null
}

interface AudioResponse {
	type: 'audio_response'
	audio_data: string
	text?: string
	format: 'opus' | 'pcm16' | 'mp3'
	sample_rate: number
	seq: number
	final: boolean
}

const OPUS_RATES = new Set([8000, 12000, 16000, 24000, 48000])

export function seedUrl(opts: SeedTurnOptions, token: string): string {
	const u = new URL(opts.url)
	u.pathname = opts.path ?? '/api/v1/esp32/private/chat'
	const child = opts.child ?? { id: `child-${opts.deviceId}`, name: 'Sim', age: 7 }
	u.search = new URLSearchParams({
		device_id: opts.deviceId,
		child_id: child.id,
		child_name: child.name,
		child_age: String(child.age),
		token,
	}).toString()
	return u.toString()
}

export async function runSeedTurn(opts: SeedTurnOptions): Promise<SeedTurnResult> {
	const token = opts.token ?? (opts.secret ? makeV2Token(opts.secret, opts.deviceId) : undefined)
	if (!token) throw new Error('runSeedTurn needs a secret or a token')
	const frameMs = opts.frameMs ?? 60
	const timeoutMs = opts.timeoutMs ?? 30_000
	const sessionId = randomUUID()
	const result: SeedTurnResult = {
		packetsSent: 0,
		transcripts: [],
		answerTexts: [],
		pieces: 0,
		audio: new Int16Array(0),
		sampleRate: 0,
		audioSeconds: 0,
		mp3Bytes: 0,
		mp3: [],
		firstPieceMs: null,
		totalMs: null,
		rms: 0,
		errors: [],
		final: false,
		close: null,
	}
	const chunks: Int16Array[] = []
	let decoder: OpusScript | undefined
	let endSentAt = 0

	const ws = new WebSocket(seedUrl(opts, token))
	let finish: () => void = () => {}
	const finished = new Promise<void>((resolve) => {
		finish = resolve
	})
	const timer = setTimeout(() => {
		result.errors.push({ code: 'SIM_TIMEOUT', message: `no final piece within ${timeoutMs} ms` })
		finish()
	}, timeoutMs)

	ws.addEventListener('close', (e) => {
		result.close = { code: e.code, reason: e.reason }
		finish()
	})
	ws.addEventListener('message', (e) => {
		if (typeof e.data !== 'string') return
		let msg: { type?: string } & Record<string, unknown>
		try {
			msg = JSON.parse(e.data)
		} catch {
			result.errors.push({ code: 'SIM_BAD_JSON', message: e.data.slice(0, 200) })
			return
		}
		if (msg.type === 'transcript') result.transcripts.push(String(msg.text ?? ''))
		else if (msg.type === 'error') result.errors.push({ code: String(msg.code), message: String(msg.message) })
		else if (msg.type === 'audio_response') {
			const piece = msg as unknown as AudioResponse
			if (result.pieces === 0 && endSentAt) result.firstPieceMs = performance.now() - endSentAt
			result.pieces++
			if (piece.text && result.answerTexts.at(-1) !== piece.text) result.answerTexts.push(piece.text)
			decoder = decodePiece(piece, chunks, result, decoder)
			if (piece.final) {
				result.final = true
				if (endSentAt) result.totalMs = performance.now() - endSentAt
				finish()
			}
		}
	})

	try {
		await opened(ws, timeoutMs)
		if (opts.text !== undefined) {
			// ? A typed turn takes the session's answer format: announce it first when one is asked for.
			if (opts.responseFormat) {
				ws.send(JSON.stringify({ type: 'audio_start', audio_session_id: sessionId, format: 'opus', sample_rate: 16000, response_format: opts.responseFormat }))
			}
			ws.send(JSON.stringify({ type: 'text', text: opts.text }))
			endSentAt = performance.now()
		} else {
			ws.send(
				JSON.stringify({
					type: 'audio_start',
					audio_session_id: sessionId,
					format: 'opus',
					sample_rate: opts.sampleRate ?? 16000,
					response_format: opts.responseFormat ?? 'opus',
				}),
			)
			const start = performance.now()
			for (const [i, packet] of (opts.packets ?? []).entries()) {
				if (result.close) break
				// Absolute schedule, so timer jitter does not accumulate into drift.
				if (opts.paced !== false) await Bun.sleep(Math.max(0, start + i * frameMs - performance.now()))
				ws.send(
					JSON.stringify({
						type: 'audio_chunk',
						audio_data: Buffer.from(packet).toString('base64'),
						chunk_id: randomUUID(),
						audio_session_id: sessionId,
						is_final: false,
					}),
				)
				result.packetsSent++
			}
			if (!result.close) {
				ws.send(JSON.stringify({ type: 'audio_end', audio_session_id: sessionId }))
				endSentAt = performance.now()
			}
		}
		await finished
	} finally {
		clearTimeout(timer)
		decoder?.delete()
		if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, 'turn done')
	}

	result.audio = concat(chunks)
	result.audioSeconds = result.sampleRate ? result.audio.length / result.sampleRate : 0
	result.rms = rms(result.audio)
	return result
}

function opened(ws: WebSocket, timeoutMs: number): Promise<void> {
	return new Promise((resolve, reject) => {
		if (ws.readyState === WebSocket.OPEN) return resolve()
		const t = setTimeout(() => reject(new Error(`connect timed out after ${timeoutMs} ms`)), timeoutMs)
		ws.addEventListener('open', () => {
			clearTimeout(t)
			resolve()
		})
		ws.addEventListener('close', (e) => {
			clearTimeout(t)
			reject(new Error(`connection refused or closed before open (code ${e.code}${e.reason ? `: ${e.reason}` : ''})`))
		})
	})
}

function decodePiece(piece: AudioResponse, into: Int16Array[], result: SeedTurnResult, decoder?: OpusScript): OpusScript | undefined {
	const bytes = Buffer.from(piece.audio_data ?? '', 'base64')
	if (bytes.length === 0) return decoder
	if (!result.sampleRate) result.sampleRate = piece.sample_rate
	if (piece.format === 'mp3') {
		result.mp3Bytes += bytes.length
		result.mp3.push(bytes)
		return decoder
	}
	if (piece.format === 'pcm16') {
		const pcm = new Int16Array(bytes.length >> 1)
		for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2)
		into.push(pcm)
		return decoder
	}
	if (!OPUS_RATES.has(piece.sample_rate)) {
		result.errors.push({ code: 'SIM_BAD_RATE', message: `opus piece at ${piece.sample_rate} Hz` })
		return decoder
	}
	const d = decoder ?? new OpusScript(piece.sample_rate as 16000, 1)
	try {
		const out = d.decode(bytes)
		const pcm = new Int16Array(out.length >> 1)
		for (let i = 0; i < pcm.length; i++) pcm[i] = out.readInt16LE(i * 2)
		into.push(pcm)
	} catch (err) {
		result.errors.push({ code: 'SIM_BAD_OPUS', message: `piece ${piece.seq}: ${(err as Error).message}` })
	}
	return d
}

function concat(parts: Int16Array[]): Int16Array {
	const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0))
	let at = 0
	for (const p of parts) {
		out.set(p, at)
		at += p.length
	}
	return out
}

export function rms(pcm: Int16Array): number {
	if (pcm.length === 0) return 0
	let sum = 0
	for (let i = 0; i < pcm.length; i++) sum += pcm[i] * pcm[i]
	return Math.sqrt(sum / pcm.length)
}
