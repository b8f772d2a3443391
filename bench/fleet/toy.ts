// One simulated toy: connects like firmware does (binary v1/v2/v3 or seed-json), sends
// heartbeats while idle, and in conversation streams recorded speech in real time, waits for
// the answer, sometimes barges in, and reconnects with jittered backoff when the gateway goes
// away. Every figure is recorded into the worker's shared ToyResult.

import { randomUUID } from 'node:crypto'
import type { ToyPlan, ToyProtocol, ToyResult } from './types'
import {
	ABORT,
	downlinkPayloadBytes,
	epochNow,
	FRAME_MS,
	HELLO,
	handshakeRequest,
	LISTEN_START,
	LISTEN_STOP,
	PING,
	providerStamp,
	seedAudioChunk,
	seedAudioEnd,
	seedAudioStart,
	type UplinkAudio,
	versionOf,
} from './wire'

const HANDSHAKE_TIMEOUT_MS = 15_000
/** Frames of an answer a barging toy hears before it interrupts. */
const BARGE_AFTER_FRAMES = 8
/** The pacer's burst: inter-arrival jitter is measured on the frames after it. */
const BURST = 5

type PingKind = 'handshake' | 'heartbeat' | 'ingest'

interface Answer {
	eosAt: number
	frames: number
	lastFrameAt: number
	nextSeq: number
	barge: boolean
	bargeSentAt: number
	/** The fake provider's first-audio time (epoch ms), from the sentence. */
	stamp: number | null
	done: (how: 'stop' | 'closed' | 'timeout') => void
}

export class Toy {
	private ws: WebSocket | undefined
	private pings: Array<{ at: number; kind: PingKind }> = []
	private handshakeDone: ((ok: boolean, why?: string) => void) | undefined
	private answer: Answer | undefined
	private heartbeat: ReturnType<typeof setTimeout> | undefined
	private stopped = false
	private open = false
	private closedAt = 0
	private readonly version: 1 | 2 | 3
	/** Seed-json: a barge-in already started the next turn's audio_session. */
	private seedSession = ''

	constructor(
		readonly id: string,
		readonly protocol: ToyProtocol,
		readonly talks: boolean,
		private readonly plan: ToyPlan,
		private readonly audio: UplinkAudio,
		private readonly r: ToyResult,
	) {
		this.version = versionOf(protocol)
	}

	get connected(): boolean {
		return this.open
	}

	/** Connects and completes the handshake (xiaozhi hello, or a seed-json ping/pong); true on success. */
	connect(): Promise<boolean> {
		const started = performance.now()
		this.r.handshakes.attempted++
		const { url, headers } = handshakeRequest(this.plan.url, this.plan.secret, this.id, this.protocol)
		// Bun's WebSocket takes headers as a second-argument option.
		const ws = new WebSocket(url, headers ? ({ headers } as unknown as string[]) : undefined)
		ws.binaryType = 'arraybuffer'
		this.ws = ws
		this.pings = []
		return new Promise<boolean>((resolve) => {
			const timer = setTimeout(() => this.handshakeDone?.(false, 'handshake timeout'), HANDSHAKE_TIMEOUT_MS)
			this.handshakeDone = (ok, why) => {
				this.handshakeDone = undefined
				clearTimeout(timer)
				if (ok) {
					this.open = true
					this.r.handshakes.ok++
					this.r.handshakes.ms.push(performance.now() - started)
					this.scheduleHeartbeat()
				} else {
					this.r.handshakes.failed++
					const key = why ?? 'unknown'
					this.r.handshakes.failures[key] = (this.r.handshakes.failures[key] ?? 0) + 1
					if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000)
				}
				resolve(ok)
			}
			ws.onopen = () => {
				if (this.protocol === 'seed') this.ping('handshake')
				else ws.send(HELLO)
			}
			ws.onmessage = (e) => this.onMessage(e.data as string | ArrayBuffer)
			ws.onclose = (e) => this.onClose(ws, e.code, e.reason)
			ws.onerror = () => {}
		})
	}

	/** Runs the toy's life until stop(): talk loop for talkers, heartbeats only for the rest. */
	async live(firstPauseMs: number): Promise<void> {
		if (!this.talks) return
		await this.sleep(firstPauseMs)
		while (!this.stopped) {
			if (!this.open) {
				await this.sleep(200)
				continue
			}
			const continued = await this.turn()
			if (!continued) await this.sleep(this.pause())
		}
	}

	stop(): void {
		this.stopped = true
		clearTimeout(this.heartbeat)
		this.answer?.done('closed')
		const ws = this.ws
		if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) ws.close(1000, 'bench done')
	}

	// One turn: speech up, answer down. Returns true when a seed-json barge-in already began the next turn.
	private async turn(): Promise<boolean> {
		const ws = this.ws
		if (!ws) return false
		const r = this.r
		const seed = this.protocol === 'seed'
		const sessionId = seed ? this.seedSession || randomUUID() : ''
		const startSent = seed && this.seedSession !== ''
		this.seedSession = ''
		r.turns.started++
		if (!startSent) ws.send(seed ? seedAudioStart(sessionId) : LISTEN_START)
		const packets = seed ? this.audio.base64 : this.audio.binary[this.version]
		const t0 = performance.now()
		for (let i = 0; i < packets.length; i++) {
			const wait = t0 + i * FRAME_MS - performance.now()
			if (wait > 1) await Bun.sleep(wait)
			if (!this.open || this.stopped) {
				r.turns.started--
				return false
			}
			const frame = seed ? seedAudioChunk(sessionId, i, packets[i] as string) : (packets[i] as Uint8Array)
			if (ws.readyState !== WebSocket.OPEN) r.uplinkSendFailures++
			else ws.send(frame)
			r.uplinkFrames++
			r.uplinkBytes += typeof frame === 'string' ? frame.length : frame.byteLength
			if ((i + 1) % this.plan.ingestProbeEvery === 0) this.ping('ingest')
		}
		const barge = Math.random() < this.plan.bargeInShare
		const outcome = await new Promise<'stop' | 'closed' | 'timeout'>((resolve) => {
			const timer = setTimeout(() => this.answer?.done('timeout'), this.plan.answerTimeoutMs)
			this.answer = {
				eosAt: 0,
				frames: 0,
				lastFrameAt: 0,
				nextSeq: 0,
				barge,
				bargeSentAt: 0,
				stamp: null,
				done: (how) => {
					clearTimeout(timer)
					this.answer = undefined
					resolve(how)
				},
			}
			ws.send(seed ? seedAudioEnd(sessionId) : LISTEN_STOP)
			this.answer.eosAt = performance.now()
		})
		if (outcome === 'closed' && this.stopped) {
			r.turns.started--
			return false
		}
		if (outcome === 'stop') r.turns.answered++
		else {
			r.turns.unanswered++
			this.error(`turn not answered (${outcome})`)
		}
		return seed && barge && outcome === 'stop' && this.seedSession !== ''
	}

	private onMessage(data: string | ArrayBuffer): void {
		const r = this.r
		if (typeof data !== 'string') {
			r.downlinkBytes += data.byteLength
			try {
				downlinkPayloadBytes(this.version, new Uint8Array(data))
			} catch (err) {
				this.error((err as Error).message)
			}
			if (this.protocol === 'seed') return this.error('binary frame on a seed-json socket')
			this.downlinkFrame()
			return
		}
		r.downlinkBytes += data.length
		let msg: Record<string, unknown>
		try {
			msg = JSON.parse(data)
		} catch {
			return this.error('downlink text is not JSON')
		}
		switch (msg.type) {
			case 'hello':
				if (this.protocol !== 'seed') this.handshakeDone?.(true)
				return
			case 'pong':
				return this.pong()
			case 'error':
				return this.error(`error ${String(msg.code)}`)
			case 'tts':
				if (msg.state === 'sentence_start') return this.stamp(msg.text)
				if (msg.state === 'stop') return this.answerEnded()
				return
			case 'audio_response': {
				const a = this.answer
				if (a && typeof msg.seq === 'number') {
					if (msg.seq !== a.nextSeq) r.seqGaps += Math.abs(msg.seq - a.nextSeq)
					a.nextSeq = msg.seq + 1
				}
				if (msg.text) this.stamp(msg.text)
				if (typeof msg.audio_data === 'string' && msg.audio_data.length > 0) this.downlinkFrame()
				if (msg.final === true) this.answerEnded()
				return
			}
		}
	}

	private downlinkFrame(): void {
		const r = this.r
		r.downlinkFrames++
		const a = this.answer
		const now = performance.now()
		if (!a || a.eosAt === 0) return this.error('audio frame outside an answer')
		if (a.frames === 0) {
			if (a.stamp !== null) {
				r.endOfSpeechToFirstFrameMs.push(now - a.eosAt)
				r.providerToFirstFrameMs.push(epochNow() - a.stamp)
			} else {
				// Not the provider's answer: one of the gateway's own cached lines (e.g. the AI disclosure).
				r.fixedLineFirstFrameMs.push(now - a.eosAt)
			}
		}
		else if (a.frames > BURST) r.pacingJitterMs.push(Math.abs(now - a.lastFrameAt - FRAME_MS))
		a.frames++
		a.lastFrameAt = now
		if (a.barge && a.frames === BARGE_AFTER_FRAMES && a.bargeSentAt === 0) {
			a.bargeSentAt = now
			r.turns.bargedIn++
			if (this.protocol === 'seed') {
				// A seed toy barges in by starting its next turn; the gateway ends the answer with final:true.
				this.seedSession = randomUUID()
				this.ws?.send(seedAudioStart(this.seedSession))
			} else this.ws?.send(ABORT)
		}
	}

	private stamp(text: unknown): void {
		const t = providerStamp(text)
		const a = this.answer
		// Provider first byte → first frame out: the first frame follows its sentence at once.
		if (t !== null && a && a.frames === 0) a.stamp = t
	}

	private answerEnded(): void {
		const a = this.answer
		if (!a) return this.error('answer end outside an answer')
		const r = this.r
		const now = performance.now()
		if (a.stamp === null && a.frames > 0) r.turns.fixedLine++
		if (a.bargeSentAt > 0) r.bargeInStopMs.push(now - a.bargeSentAt)
		else if (this.plan.answerMs !== null && a.stamp !== null) {
			const expected = Math.ceil(this.plan.answerMs / FRAME_MS)
			if (a.frames < expected) r.framesLost += expected - a.frames
		}
		a.done('stop')
	}

	private ping(kind: PingKind): void {
		if (this.ws?.readyState !== WebSocket.OPEN) return
		this.pings.push({ at: performance.now(), kind })
		this.ws.send(PING)
	}

	private pong(): void {
		const p = this.pings.shift()
		if (!p) return
		const rtt = performance.now() - p.at
		if (p.kind === 'handshake') this.handshakeDone?.(true)
		else if (p.kind === 'ingest') this.r.ingestMs.push(rtt)
		else this.r.heartbeatRttMs.push(rtt)
	}

	private scheduleHeartbeat(): void {
		clearTimeout(this.heartbeat)
		const every = this.plan.heartbeatMs
		// Jittered so a fleet that connected together does not beat in lockstep.
		this.heartbeat = setTimeout(() => {
			if (!this.open || this.stopped) return
			if (!this.answer) this.ping('heartbeat')
			this.scheduleHeartbeat()
		}, every * (0.75 + Math.random() * 0.5))
	}

	private onClose(ws: WebSocket, code: number, reason: string): void {
		if (ws !== this.ws) return
		const wasOpen = this.open
		this.open = false
		clearTimeout(this.heartbeat)
		if (this.handshakeDone) return this.handshakeDone(false, `close ${code}${reason ? ` ${reason}` : ''}`)
		this.answer?.done('closed')
		if (this.stopped || !wasOpen) return
		const key = `close ${code}`
		this.r.unexpectedCloses[key] = (this.r.unexpectedCloses[key] ?? 0) + 1
		if (this.plan.reconnect) void this.reconnect()
	}

	private async reconnect(): Promise<void> {
		this.closedAt = performance.now()
		const [base, cap] = this.plan.backoffMs
		for (let attempt = 0; !this.stopped; attempt++) {
			// Full jitter: a fleet told "restarting" at the same instant spreads its return.
			await this.sleep(Math.random() * Math.min(cap, base * 2 ** attempt))
			if (this.stopped) return
			if (await this.connect()) {
				this.r.reconnectMs.push(performance.now() - this.closedAt)
				return
			}
		}
	}

	private pause(): number {
		const [lo, hi] = this.plan.pauseMs
		return lo + Math.random() * (hi - lo)
	}

	private sleep(ms: number): Promise<void> {
		return this.stopped ? Promise.resolve() : Bun.sleep(ms)
	}

	private error(what: string): void {
		this.r.errors[what] = (this.r.errors[what] ?? 0) + 1
	}
}
