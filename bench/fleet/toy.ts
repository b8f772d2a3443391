// One simulated toy: connects like firmware does (binary v1/v2/v3 or seed-json), sends
// heartbeats while idle, and in conversation streams recorded speech in real time, waits for
// the answer, sometimes barges in, and reconnects with jittered backoff when the gateway goes
// away. Every figure is recorded into the worker's shared ToyResult.

import { randomUUID } from 'node:crypto'
import { framesMissing, playbackDeadline, unansweredKind } from './stats'
import type { ListenMode, ToyPlan, ToyProtocol, ToyResult } from './types'
import {
	ABORT,
	downlinkPayloadBytes,
	epochNow,
	FRAME_MS,
	handshakeRequest,
	helloFor,
	LISTEN_STOP,
	listenStart,
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
/**
 * How long an endpointed toy streams silence after its speech before it gives up on the
 * gateway's VAD, in real time: a count of frames would make a generator that stalled and then
 * caught up (frames sent back to back) give up before the gateway could even answer.
 */
const VAD_WAIT_MS = 3000

type PingKind = 'handshake' | 'heartbeat' | 'ingest'

type Outcome = 'stop' | 'closed' | 'noAudio' | 'playbackOverTimeout'

interface Answer {
	/** End of speech: listen stop / audio_end sent, or (endpointed) the frame the VAD ends the turn on. */
	eosAt: number
	firstFrameAt: number
	frames: number
	lastFrameAt: number
	nextSeq: number
	barge: boolean
	bargeSentAt: number
	/** The fake provider's first-audio time (epoch ms), from the sentence. */
	stamp: number | null
	done: (how: Outcome) => void
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
	private readonly hello: string
	/** The gateway's VAD ends this toy's turns (xiaozhi auto/realtime). */
	private readonly endpointed: boolean
	/** Whether the gateway gated the lead of the turn being listened to (which end table applies). */
	private leadGated = false
	/** This connection's gateway has seen speech from this toy, so it gates the quiet packets before a turn. */
	private flagsShown = false
	/** Endpointed turn: when each frame since the speech began was sent, and whether `stt` came. */
	private sentAt: number[] = []
	private heardStt = false
	/** This turn's answer started with no `stt` before it: the gateway shed it (its busy line). */
	private shedTurn = false
	/** Frames of silence this turn streamed before the speech. */
	private lead = 0
	/** Realtime toy: its listen start holds on this connection (reset by a new socket or an abort). */
	private realtimeListening = false
	/** Seed-json: a barge-in already started the next turn's audio_session. */
	private seedSession = ''

	constructor(
		readonly id: string,
		readonly protocol: ToyProtocol,
		readonly listen: ListenMode,
		readonly talks: boolean,
		private readonly plan: ToyPlan,
		private readonly audio: UplinkAudio,
		private readonly r: ToyResult,
	) {
		this.version = versionOf(protocol)
		this.hello = helloFor(this.version)
		this.endpointed = protocol !== 'seed' && listen !== 'manual'
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
		this.realtimeListening = false
		this.flagsShown = false
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
				else ws.send(this.hello)
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
			// ? An endpointed toy spends its think time listening (turn() streams the silence).
			if (!continued && !this.endpointed) await this.sleep(this.pause())
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
		// ? Realtime firmware (xiaozhi-esp32 application.cc) says listen start once: its microphone stays
		//   open over the answer and the gateway listens again when the answer ends. After an abort it
		//   starts afresh. Auto firmware says it again every time it returns to listening.
		const resend = this.listen !== 'realtime' || !this.realtimeListening
		if (!startSent && resend) ws.send(seed ? seedAudioStart(sessionId) : listenStart(this.listen))
		this.realtimeListening = this.listen === 'realtime'
		const barge = Math.random() < this.plan.bargeInShare
		let outcome: Outcome
		if (this.endpointed) {
			// Listening while the child thinks: the microphone's noise floor goes up, decoded and VAD'd.
			const silence = this.audio.silence[this.version]
			this.lead = Math.round(this.pause() / FRAME_MS)
			if (!(await this.send(silence, this.lead))) return this.abandon()
			const answered = this.awaitAnswer(barge, false)
			this.sentAt = []
			this.heardStt = false
			this.shedTurn = false
			// ? The lead just sent was read as the table for this connection's state says; from now on the gateway gates.
			this.leadGated = this.flagsShown
			this.flagsShown = true
			if (!(await this.send(this.audio.binary[this.version], this.audio.binary[this.version].length, true))) return this.abandon()
			// Then silence until the VAD ends the turn (the gateway's `stt`), as firmware in auto mode does.
			const spokeAt = performance.now()
			const ended = await this.send(silence, Number.POSITIVE_INFINITY, true, () => this.heardStt || this.shedTurn || performance.now() - spokeAt > VAD_WAIT_MS)
			if (!ended) return this.abandon()
			if (!this.heardStt && !this.shedTurn) {
				r.turns.vadMissed++
				this.error('the gateway VAD did not end the turn')
				ws.send(LISTEN_STOP)
				if (this.answer && this.answer.eosAt === 0) this.answer.eosAt = performance.now()
			}
			// ? Realtime firmware keeps its microphone open over the answer (barge-in by voice); auto
			//   keeps it open until the answer starts (tts start). Tracked: if the child went on after
			//   a pause (the clip has one), the gateway ends the continued turn on one of these frames.
			const mine = this.answer
			const realtime = this.listen === 'realtime'
			void this.send(silence, Number.POSITIVE_INFINITY, true, () => this.answer !== mine || (!realtime && (mine?.frames ?? 0) > 0))
			outcome = await answered
		} else {
			const packets = seed ? this.audio.base64 : this.audio.binary[this.version]
			const t0 = performance.now()
			for (let i = 0; i < packets.length; i++) {
				const wait = t0 + i * FRAME_MS - performance.now()
				if (wait > 1) await Bun.sleep(wait)
				if (!this.open || this.stopped) return this.abandon()
				const frame = seed ? seedAudioChunk(sessionId, i, packets[i] as string) : (packets[i] as Uint8Array)
				if (ws.readyState !== WebSocket.OPEN) r.uplinkSendFailures++
				else ws.send(frame)
				r.uplinkFrames++
				r.uplinkBytes += typeof frame === 'string' ? frame.length : frame.byteLength
				if ((i + 1) % this.plan.ingestProbeEvery === 0) this.ping('ingest')
			}
			const answered = this.awaitAnswer(barge, true)
			ws.send(seed ? seedAudioEnd(sessionId) : LISTEN_STOP)
			outcome = await answered
		}
		if (outcome === 'closed' && this.stopped) {
			r.turns.started--
			return false
		}
		if (outcome === 'stop') r.turns.answered++
		else {
			r.turns.unanswered++
			if (outcome === 'noAudio' || outcome === 'playbackOverTimeout') r.turns[outcome]++
			this.error(`turn not answered (${outcome})`)
		}
		return seed && barge && outcome === 'stop' && this.seedSession !== ''
	}

	private abandon(): false {
		this.r.turns.started--
		this.answer?.done('closed')
		return false
	}

	/**
	 * Streams `count` frames of `frames` (cycled) in real time. Stops early, returning true, when
	 * `until()` holds; returns false when the socket closed or the run stopped. `track` records the
	 * send times the endpoint latency is read against.
	 */
	private async send(frames: Uint8Array[], count: number, track = false, until?: () => boolean): Promise<boolean> {
		const ws = this.ws
		if (!ws || frames.length === 0) return this.open && !this.stopped
		const r = this.r
		const t0 = performance.now()
		for (let i = 0; i < count; i++) {
			const wait = t0 + i * FRAME_MS - performance.now()
			if (wait > 1) await Bun.sleep(wait)
			if (until?.()) return true
			if (!this.open || this.stopped || ws !== this.ws) return false
			const frame = frames[i % frames.length]
			if (ws.readyState !== WebSocket.OPEN) r.uplinkSendFailures++
			else ws.send(frame)
			if (track) this.sentAt.push(performance.now())
			r.uplinkFrames++
			r.uplinkBytes += frame.byteLength
		}
		return true
	}

	/** The pending answer of this turn; `eosAt` is set now (manual) or when the VAD ends the turn. */
	private awaitAnswer(barge: boolean, eosNow: boolean): Promise<Outcome> {
		return new Promise<Outcome>((resolve) => {
			let timer: ReturnType<typeof setTimeout> | undefined
			const a: Answer = {
				eosAt: eosNow ? performance.now() : 0,
				firstFrameAt: 0,
				frames: 0,
				lastFrameAt: 0,
				nextSeq: 0,
				barge,
				bargeSentAt: 0,
				stamp: null,
				done: (how) => {
					clearTimeout(timer)
					if (this.answer === a) this.answer = undefined
					resolve(how)
				},
			}
			// No audio in time counts from end of speech; once audio flows, from what has been heard.
			const check = () => {
				if (this.answer !== a) return
				if (a.frames === 0) {
					const from = a.eosAt || performance.now()
					const due = from + this.plan.answerTimeoutMs
					if (a.eosAt > 0 && performance.now() >= due) return a.done('noAudio')
					timer = setTimeout(check, Math.max(50, due - performance.now()))
					return
				}
				const due = playbackDeadline(a.firstFrameAt, a.frames, FRAME_MS, this.plan.playbackGraceMs)
				if (performance.now() >= due) return a.done(unansweredKind(a.frames))
				timer = setTimeout(check, Math.max(50, due - performance.now()))
			}
			this.answer = a
			timer = setTimeout(check, this.plan.answerTimeoutMs)
		})
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
			case 'stt':
				return this.endOfTurn()
			case 'error':
				return this.error(`error ${String(msg.code)}`)
			case 'tts':
				if (msg.state === 'sentence_start') return this.stamp(msg.text)
				if (msg.state === 'stop') return this.answerEnded()
				if (msg.state === 'start') return this.answerStarted()
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
			a.firstFrameAt = now
			r.anyFirstFrameMs.push(now - a.eosAt)
			if (!this.plan.providerKnown) {
				// ? Only the fake stamps its answers: with any other provider, who answered is unknown.
			} else if (a.stamp !== null) {
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
			} else {
				this.ws?.send(ABORT)
				this.realtimeListening = false
			}
		}
	}

	/**
	 * `tts start` with no `stt` before it: the gateway ended the turn and answers it without having
	 * asked the provider (admission control's busy line). Its end of speech is the last frame sent.
	 */
	private answerStarted(): void {
		const a = this.answer
		if (!this.endpointed || !a || a.eosAt !== 0 || this.heardStt) return
		this.shedTurn = true
		this.r.turns.shed++
		a.eosAt = this.sentAt.at(-1) ?? performance.now()
	}

	/** `stt`: the gateway ended the turn. Endpointed toys read the VAD's latency off it. */
	private endOfTurn(): void {
		const a = this.answer
		if (!this.endpointed || !a) return
		if (a.eosAt !== 0) {
			// ? A second `stt` before any answer audio: the VAD had ended the turn on a pause, the
			//   child went on, and the gateway dropped that answer for one to the whole turn, which
			//   it has just ended. Its end is the last frame sent (the offline table knows only the
			//   first end); the endpoint delay, ~20 ms at p99, is then not counted.
			if (a.frames === 0 && this.sentAt.length > 0) {
				a.eosAt = this.sentAt.at(-1) as number
				this.r.turns.continued++
			}
			return
		}
		this.heardStt = true
		this.r.turns.endpointed++
		const now = performance.now()
		// ? The frame the VAD ends the turn on, from the same VAD run offline over the same packets. It
		//   depends on the lead, which the gateway may count a frame or two differently (frames in
		//   flight when it reset its VAD), and a pause in the speech can put it ~1.2 s apart: of the
		//   candidates near this lead, the latest already sent when `stt` came. When the gateway ended
		//   the turn sooner than any, the last frame sent is the best bound there is.
		const table = this.leadGated ? this.plan.vadEndFrame.gated : this.plan.vadEndFrame.decoded
		let k = -1
		for (let l = Math.max(0, this.lead - 3); l <= Math.min(table.length - 1, this.lead + 3); l++) {
			const c = table[l]
			if (c !== null && c < this.sentAt.length && c > k) k = c
		}
		const at = k >= 0 ? this.sentAt[k] : this.sentAt.at(-1)
		if (at === undefined) return
		a.eosAt = at
		this.r.endpointMs.push(now - at)
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
		if (this.plan.providerKnown && a.stamp === null && a.frames > 0) r.turns.fixedLine++
		if (a.bargeSentAt > 0) r.bargeInStopMs.push(now - a.bargeSentAt)
		else if (this.plan.providerKnown && a.stamp !== null) r.framesLost += framesMissing(this.plan.answerMs, FRAME_MS, a.frames) ?? 0
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
