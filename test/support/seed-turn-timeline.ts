import { randomUUID } from 'node:crypto'

// One seed-json turn that keeps every message the gateway sent with its arrival time, for tests
// that check the shape and pacing of the answer (runSeedTurn in bench/ keeps only the summary).

export interface TimedMessage {
	at: number
	msg: Record<string, unknown>
}

export interface TurnTimeline {
	messages: TimedMessage[]
	pieces: TimedMessage[]
	close: { code: number; reason: string } | null
}

export interface TimelineOptions {
	/** Full seed-json URL with query (see seed-url.ts). */
	url: string
	/** Uplink Opus packets (16 kHz, 60 ms); sent as fast as possible. */
	packets?: readonly Uint8Array[]
	text?: string
	timeoutMs?: number
}

export async function seedTurnTimeline(opts: TimelineOptions): Promise<TurnTimeline> {
	const messages: TimedMessage[] = []
	let close: TurnTimeline['close'] = null
	const ws = new WebSocket(opts.url)
	let done: () => void = () => {}
	const finished = new Promise<void>((resolve) => {
		done = resolve
	})
	ws.addEventListener('message', (e) => {
		const at = performance.now()
		if (typeof e.data !== 'string') return
		const msg = JSON.parse(e.data) as Record<string, unknown>
		messages.push({ at, msg })
		if (msg.type === 'audio_response' && msg.final === true) done()
	})
	ws.addEventListener('close', (e) => {
		close = { code: e.code, reason: e.reason }
		done()
	})
	await new Promise<void>((resolve, reject) => {
		ws.addEventListener('open', () => resolve())
		ws.addEventListener('error', () => reject(new Error(`could not open ${opts.url}`)))
	})
	const sessionId = randomUUID()
	if (opts.text !== undefined) {
		ws.send(JSON.stringify({ type: 'text', text: opts.text }))
	} else {
		ws.send(JSON.stringify({ type: 'audio_start', audio_session_id: sessionId, format: 'opus', sample_rate: 16000, response_format: 'opus' }))
		for (const p of opts.packets ?? []) {
			ws.send(
				JSON.stringify({
					type: 'audio_chunk',
					audio_data: Buffer.from(p).toString('base64'),
					chunk_id: randomUUID(),
					audio_session_id: sessionId,
					is_final: false,
				}),
			)
		}
		ws.send(JSON.stringify({ type: 'audio_end', audio_session_id: sessionId }))
	}
	const timeoutMs = opts.timeoutMs ?? 30_000
	let timer: ReturnType<typeof setTimeout> | undefined
	await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))])
	clearTimeout(timer)
	if (ws.readyState === WebSocket.OPEN) ws.close(1000)
	return { messages, pieces: messages.filter((m) => m.msg.type === 'audio_response'), close }
}
