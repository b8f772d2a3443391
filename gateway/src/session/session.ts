import { randomUUID } from 'node:crypto'
import { type ChildProfile, type DeviceTools, type HistoryEntry, needsPcm, type Provider, type TurnInput, type TurnMarks, type TurnSession, type UplinkStream } from '../ai/provider'
import { CodecError, type Codec, type Vad } from '../codec'
import { GatewayError } from '../errors'
import type { Logger } from '../obs/logger'
import type { Metrics } from '../obs/metrics'
import { Downlink, type DownlinkFormat, type DownlinkSpec, EncodeLoad, MP3_PIECE_MS, MP3_RATE } from './downlink'
import type { Admission } from './admission'
import { Pacer, PacingClock } from './pacer'
import type { SessionContext } from './resume-cache'
import { TurnPlayback } from './turn-playback'
import { Uplink, type UplinkFormat } from './uplink'

// One conversation engine per connected toy. Protocol adapters translate the wire into these
// calls and the SessionSink back into the wire; the session knows no wire format.

export type SessionState = 'idle' | 'listening' | 'thinking' | 'speaking'

export interface SessionSink {
	transcript(text: string): void
	/** tts start: before any audio of a turn. */
	speechStart(): void
	/** tts sentence_start: just before that sentence's audio. */
	sentence(text: string): void
	audio(packet: Uint8Array): void
	/** tts stop: after the last frame, or at once on abort. */
	speechEnd(): void
}

/** Stores the conversation. Never blocks or throws: writes are queued (store/write-backlog.ts). */
export interface TurnRecorder {
	record(role: 'child' | 'assistant', text: string): void
	/** The toy hung up: the conversation is over. */
	end(): void
}

export interface SessionOptions {
	codec: Codec
	provider: Provider
	log: Logger
	child: ChildProfile
	deviceId: string
	turnMaxMs: number
	downlink: DownlinkSpec
	recorder?: TurnRecorder
	/** Tools on the toy the provider may offer the model (xiaozhi MCP / IoT). */
	tools?: DeviceTools
	/** Per-device turn rate limit (PROTOCOL.md §5); false refuses the turn with RATE_LIMITED. */
	allowTurn?: () => boolean
	/** Context of this toy's previous session if it reconnected within the resume window. */
	resume?: () => SessionContext | undefined
	/** Receives the context when the session closes, so a quick reconnect can resume it. */
	onClose?: (ctx: SessionContext) => void
	/** Receives the context after each turn (the fleet keeps it for a resume on another node). */
	onTurnEnd?: (ctx: SessionContext) => void
	/** Turn counters and stage latencies (obs/metrics.ts); absent when metrics are off. */
	metrics?: Metrics
	/**
	 * The gateway's pacing timer and encode load (gateway.ts makes one of each for all its
	 * sessions); a session alone (a bench, a test) gets its own.
	 */
	pacing?: PacingClock
	encodeLoad?: EncodeLoad
	/** Overload control (session/admission.ts): a shed turn hears the busy line instead of the provider. */
	admission?: Pick<Admission, 'admitTurn' | 'busyLine'>
}

type TurnAudio = Pick<TurnInput, 'pcm' | 'sampleRate' | 'speechMs' | 'text' | 'opusPackets' | 'opusRate' | 'streamed'>

export interface ListenOptions {
	endpointing?: boolean
	bargeIn?: boolean
}

const HISTORY_TURNS = 20
const AHEAD_FRAMES = 10
const VAD_SPEECH_START = 1
const VAD_SPEECH_END = 2
const EMPTY_PCM = new Int16Array(0)

export class Session {
	state: SessionState = 'idle'
	readonly id = randomUUID()
	private readonly uplink: Uplink
	private downlink: Downlink
	private pacer: Pacer
	/** The Opus/PCM16 downlink this toy connected with; an MP3 answer has its own rate and piece length. */
	private readonly baseDownlink: DownlinkSpec
	private readonly history: HistoryEntry[] = []
	private turn: AbortController | undefined
	/** What the toy has played of the turn being answered. */
	private playback: TurnPlayback | undefined
	/** The provider's stream for the turn being listened to, when it takes audio as it arrives. */
	private stream: UplinkStream | undefined
	private listen: ListenOptions = {}
	private vad: Vad | undefined
	private vadRate = 0
	private heardSpeech = false
	/**
	 * The audio of the turn being thought about, while no answer has reached the toy: if the
	 * child goes on after the pause the VAD took for an end, it goes back in front of what follows.
	 */
	private unanswered: { pcm: Int16Array; packets: Uint8Array[]; speechMs: number; streamed: boolean } | undefined
	/** Turns a continuation superseded: their words are part of the next turn, not turns of their own. */
	private readonly superseded = new WeakSet<AbortController>()
	private turns = 0
	private readonly startedAt: number
	private speaking = false
	private closed = false
	private readonly metrics: Metrics | undefined
	/** Timing of the turn being answered, until its first frame is out. */
	private marks: TurnMarks | undefined
	private readonly pacing: PacingClock
	private readonly encodeLoad: EncodeLoad

	constructor(
		private readonly opts: SessionOptions,
		private readonly sink: SessionSink,
	) {
		this.metrics = opts.metrics
		this.pacing = opts.pacing ?? new PacingClock()
		this.encodeLoad = opts.encodeLoad ?? new EncodeLoad(opts.codec.encodeThreads)
		const resumed = opts.resume?.()
		this.startedAt = resumed?.startedAt ?? Date.now()
		this.turns = resumed?.turns ?? 0
		if (resumed) this.history.push(...resumed.history)
		this.uplink = new Uplink(opts.codec, opts.turnMaxMs)
		const d = opts.downlink
		this.baseDownlink = d
		this.downlink = new Downlink(opts.codec, this.encodeLoad, d.format, d.sampleRate, d.frameMs)
		this.pacer = this.createPacer(d.frameMs)
	}

	get downlinkFormat(): DownlinkSpec {
		return this.opts.downlink
	}

	/** Seed-json toys choose the answer's format per turn (audio_start.response_format). */
	setDownlinkFormat(format: DownlinkFormat): void {
		const d = this.opts.downlink
		if (d.format === format) return
		this.interrupt()
		const base = this.baseDownlink
		this.opts.downlink =
			format === 'mp3' ? { format, sampleRate: MP3_RATE, frameMs: MP3_PIECE_MS } : { format, sampleRate: base.sampleRate, frameMs: base.frameMs }
		this.downlink.free()
		const next = this.opts.downlink
		this.downlink = new Downlink(this.opts.codec, this.encodeLoad, format, next.sampleRate, next.frameMs)
		// The pacer paces by piece length; it is idle after the interrupt.
		if (next.frameMs !== d.frameMs) this.pacer = this.createPacer(next.frameMs)
	}

	private createPacer(frameMs: number): Pacer {
		return new Pacer(
			this.pacing,
			{
				audio: (p) => {
					this.playback?.released()
					this.sink.audio(p)
					if (this.marks) this.firstFrameOut(this.marks)
				},
				sentence: (t) => this.sink.sentence(t),
				end: () => {
					this.playback?.finish()
					this.finishSpeaking()
				},
			},
			frameMs,
			undefined,
			this.metrics?.pacingLateness,
		)
	}

	/**
	 * audio_start / listen start. A new turn while speaking interrupts the answer (barge-in).
	 * `endpointing`: the gateway's VAD ends the turn (xiaozhi auto/realtime); `bargeIn`: keep
	 * listening while speaking and interrupt when the child speaks (realtime).
	 */
	beginListening(format: UplinkFormat, sampleRate: number, mode: ListenOptions = {}): void {
		if (!Uplink.validRate(format, sampleRate)) {
			throw new GatewayError('INVALID_MESSAGE', `sample_rate ${sampleRate} is not supported for ${format}`)
		}
		this.interrupt()
		this.listen = mode
		this.heardSpeech = false
		if (mode.endpointing || mode.bargeIn) {
			if (!this.vad || this.vadRate !== sampleRate) {
				this.vad = this.opts.codec.createVad(sampleRate)
				this.vadRate = sampleRate
			} else this.vad.reset()
		}
		this.state = 'listening'
		this.openStream(sampleRate)
		// Nothing listens to the audio while the child speaks: keep the packets, skip the decode.
		this.uplink.begin(format, sampleRate, Boolean(mode.endpointing || mode.bargeIn || this.stream), this.wantsPcm)
	}

	/** One chunk of the child's audio. Returns true when this chunk ended the turn. */
	pushAudio(data: Uint8Array): boolean {
		try {
			if (this.state === 'thinking' && this.unanswered) return this.listenForContinuation(data)
			if (this.state !== 'listening') return this.listenForBargeIn(data)
			const endpointing = this.vad !== undefined && this.listen.endpointing === true
			// Waiting for the child to start: packets the toy's encoder marked quiet need no decode.
			this.uplink.gate = endpointing && !this.heardSpeech
			const pcm = this.uplink.push(data)
			// Before the VAD: the frame that ends the turn is streamed before the turn is answered.
			if (pcm && this.stream) this.stream.append(pcm)
			if (pcm && this.vad && endpointing) {
				const event = this.vad.process(this.listened(pcm))
				if (event === VAD_SPEECH_START) this.heardSpeech = true
				else if (event === VAD_SPEECH_END && this.heardSpeech) {
					this.endListening()
					return true
				}
			}
			if (pcm) return false
		} catch (e) {
			if (e instanceof CodecError) throw new GatewayError('INVALID_AUDIO', e.message)
			throw e
		}
		// ? 30 s cap: end the turn as if the child had stopped (PROTOCOL.md §5).
		this.endListening()
		return true
	}

	/**
	 * The turn ended on a pause and its answer has not started: the child may only have been
	 * taking a breath. What the toy sends meanwhile is kept; if the VAD hears speech again the
	 * pending answer is dropped and the turn goes on, so the provider hears the whole sentence
	 * rather than its first half, then its second half as a turn of its own.
	 */
	private listenForContinuation(data: Uint8Array): boolean {
		this.uplink.gate = true
		const pcm = this.uplink.push(data)
		if (!pcm || !this.vad || this.vad.process(this.listened(pcm)) !== VAD_SPEECH_START) return false
		const before = this.unanswered
		if (!before) return false
		if (before.streamed) {
			// ? A streamed turn (Realtime) is already an item of the provider's conversation: what
			//   follows is a turn after it there, listened to afresh, as a barge-in in realtime mode.
			this.opts.log.info({ sessionId: this.id }, 'the child went on after a pause: a turn after it')
			this.beginListening(this.uplink.format, this.uplink.sampleRate, this.listen)
			this.heardSpeech = true
			return false
		}
		this.opts.log.info({ sessionId: this.id, pausedAfterMs: Math.round(before.speechMs) }, 'the child went on after a pause: one turn')
		if (this.turn) this.superseded.add(this.turn)
		if (this.metrics) this.metrics.hot.turnsContinued++
		this.interrupt()
		this.uplink.prepend(before.pcm, before.packets, before.speechMs)
		this.state = 'listening'
		this.heardSpeech = true
		return false
	}

	/**
	 * `pcm` for the VAD. After quiet packets went undecoded the VAD starts afresh: its network's
	 * state is from before them (often the end of the last sentence), and noise that follows read
	 * as speech from there (bench/vad-accuracy.ts, native-opus-gate). Only while no turn is under
	 * way, as the gate is.
	 */
	private listened(pcm: Int16Array): Int16Array {
		if (this.uplink.takeResumed()) this.vad?.reset()
		return pcm
	}

	private listenForBargeIn(data: Uint8Array): boolean {
		if (!this.listen.bargeIn || !this.vad || (this.state !== 'speaking' && this.state !== 'thinking')) return false
		this.uplink.gate = true
		if (this.vad.process(this.listened(this.uplink.decodeOnly(data))) !== VAD_SPEECH_START) return false
		this.opts.log.info({ sessionId: this.id }, 'barge-in: child spoke over the answer')
		const { format, sampleRate } = this.uplink
		this.beginListening(format, sampleRate, this.listen)
		this.heardSpeech = true
		return false
	}

	/**
	 * Whether a turn whose packets are like `first` keeps its decoded PCM (Uplink.begin): the
	 * provider reads it, or a stream is open (a fallback that did not get the stream answers from it).
	 */
	private readonly wantsPcm = (first: Uint8Array): boolean =>
		this.stream !== undefined || needsPcm(this.opts.provider, { opusPackets: [first], opusRate: this.uplink.sampleRate, sampleRate: this.uplink.sampleRate })

	/** audio_end / listen stop: the child finished; answer. */
	endListening(): void {
		if (this.state !== 'listening') return
		const opusPackets = this.uplink.takePackets()
		const speechMs = this.uplink.durationMs
		const decoded = this.uplink.decoding
		const pcmKept = this.uplink.pcmKept
		const pcm = this.uplink.take()
		const stream = this.stream
		this.stream = undefined
		if (this.listen.endpointing && !this.heardSpeech) {
			// Nothing but silence or noise: answering it would be the toy talking to itself.
			stream?.cancel()
			this.state = 'idle'
			return
		}
		const sampleRate = this.uplink.sampleRate
		const input: TurnAudio =
			opusPackets.length > 0 ? { pcm, sampleRate, speechMs, opusPackets, opusRate: sampleRate } : { pcm, sampleRate, speechMs }
		if (!pcmKept && needsPcm(this.opts.provider, input)) input.pcm = this.uplink.decodePackets(opusPackets)
		// ? `pcm` goes along anyway: a fallback provider that did not get the stream answers from it.
		if (stream && input.pcm.length > 0) input.streamed = true
		else stream?.cancel()
		// ? Only a turn the provider gets whole is sent again with what follows: a streamed one
		//   (Realtime) is already an item of the provider's conversation.
		const streamed = input.streamed === true
		this.unanswered =
			this.listen.endpointing && decoded ? { pcm: streamed ? EMPTY_PCM : pcm, packets: streamed ? [] : opusPackets, speechMs: streamed ? 0 : speechMs, streamed } : undefined
		this.startTurn(input, stream)
	}

	/** A typed message: answer it without audio. */
	say(text: string): void {
		this.interrupt()
		this.startTurn({ pcm: new Int16Array(0), sampleRate: 16000, text })
	}

	/** Barge-in: cancel the provider, drop queued audio, tell the toy at once. */
	interrupt(): void {
		this.unanswered = undefined
		// Audio still being listened to is then sent whole at the turn's end, not streamed.
		this.dropStream()
		// Before the abort: the provider truncates to what was played, and the pacer forgets it.
		this.playback?.interrupt()
		this.turn?.abort()
		this.turn = undefined
		this.pacer.clear()
		this.downlink.reset()
		if (this.speaking) this.finishSpeaking()
		if (this.state === 'thinking' || this.state === 'speaking') this.state = 'idle'
	}

	close(): void {
		const first = !this.closed
		this.closed = true
		this.dropStream()
		this.playback?.interrupt()
		// Before the conversation ends: a turn cut short by the hang-up keeps the child's words.
		this.turn?.abort()
		this.turn = undefined
		if (first) {
			this.opts.onClose?.(this.context())
			this.opts.recorder?.end()
		}
		this.pacer.clear()
		this.uplink.free()
		this.downlink.free()
	}

	private startTurn(input: TurnAudio, stream?: UplinkStream): void {
		if (this.opts.allowTurn && !this.opts.allowTurn()) {
			stream?.cancel()
			this.state = 'idle'
			throw new GatewayError('RATE_LIMITED', 'too many turns from this toy; slow down')
		}
		// ? After the rate limit: a toy over its own limit is told so, overload or not.
		const shed = this.opts.admission ? !this.opts.admission.admitTurn() : false
		if (shed) stream?.cancel()
		const ctrl = new AbortController()
		this.turn = ctrl
		this.playback?.finish()
		const playback = new TurnPlayback(this.pacer, this.opts.downlink.frameMs)
		this.playback = playback
		this.state = 'thinking'
		if (this.metrics) {
			this.metrics.hot.turnsStarted++
			// ? A shed turn's quick busy line is not an answer: its latency would flatter the overloaded gateway's.
			this.marks = shed ? undefined : { endOfSpeechAt: performance.now() }
		}
		void this.runTurn(input, ctrl, playback, shed).catch((err) => {
			// runTurn handles its own errors; this only guards against a bug escaping it.
			this.opts.log.error({ err, sessionId: this.id }, 'turn crashed')
		})
	}

	/** `shed`: the gateway is overloaded; the child hears the busy line, and the turn is not part of the conversation. */
	private async runTurn(input: TurnAudio, ctrl: AbortController, playback: TurnPlayback, shed: boolean): Promise<void> {
		const { provider, child, log, recorder } = this.opts
		const turnId = randomUUID()
		const answer: string[] = []
		const live = () => !ctrl.signal.aborted && !this.closed
		// ? The child's words are kept once the answer starts (or the turn ends), not when heard: a
		//   turn the child went on from is kept whole by the turn that continues it, not twice.
		let childWords: string | undefined
		const keepChildWords = () => {
			if (childWords === undefined || this.superseded.has(ctrl)) return
			this.remember('child', childWords)
			recorder?.record('child', childWords)
			childWords = undefined
		}
		// A turn cut short keeps its words at once, so they stay before the next turn's.
		ctrl.signal.addEventListener('abort', keepChildWords, { once: true })
		// An interrupted turn's encode may still resolve after the next turn began: drop its packets.
		const send = (packet: Uint8Array) => {
			if (live()) this.pacer.push({ kind: 'audio', packet })
		}
		try {
			const session = this.turnSession()
			this.turns++
			const downlink = this.opts.downlink
			const history = this.history.slice()
			const tools = this.opts.tools
			const marks = this.marks
			const events =
				shed && this.opts.admission
					? await this.opts.admission.busyLine(downlink.sampleRate)
					: provider.answer({ ...input, child, history, signal: ctrl.signal, session, downlink, playback, tools, marks })
			let heard = false
			for await (const ev of events) {
				if (!live()) break
				if (ev.type === 'transcript') {
					// Words nobody could make out are not the child's words.
					if (ev.failed) continue
					// ? Once per turn: a retry or a wrapper may report the same words again.
					if (heard) continue
					heard = true
					this.sink.transcript(ev.text)
					childWords = ev.text
					continue
				}
				keepChildWords()
				this.startSpeaking()
				if (ev.type === 'sentence') {
					answer.push(ev.text)
					// A sentence's audio is a new provider stream: the last one's last packet goes first.
					this.downlink.endStream()
					await this.downlink.encode(send, this.pacer.pending * this.opts.downlink.frameMs)
					if (!live()) break
					this.pacer.push({ kind: 'sentence', text: ev.text })
				} else {
					if (ev.type === 'opus') this.downlink.pushOpus(ev.packets)
					else this.downlink.push(ev.pcm, ev.sampleRate)
					await this.downlink.encode(send, this.pacer.pending * this.opts.downlink.frameMs)
					if (!live()) break
					// Stay ~0.6 s ahead of the toy: memory per toy stays small and encoding is spread over the answer.
					await this.pacer.waitBelow(AHEAD_FRAMES)
				}
			}
			if (!live()) return
			this.startSpeaking()
			this.downlink.flush()
			await this.downlink.encode(send, this.pacer.pending * this.opts.downlink.frameMs)
			if (!live()) return
			this.downlink.reset()
			this.pacer.push({ kind: 'end' })
			// A shed turn is counted as shed (teddy_admission_shed_total), not as answered.
			if (this.metrics && !shed) this.metrics.hot.turnsAnswered++
		} catch (err) {
			if (!live()) return
			if (this.metrics) this.metrics.hot.turnsFailed++
			log.error({ err, turnId, sessionId: this.id, provider: provider.name }, 'provider failed')
			// ! Never leave the toy in `speaking`: whatever was queued plays out, then tts stop.
			// A toy waiting for an answer gets an (empty) answer rather than silence forever.
			this.downlink.reset()
			this.startSpeaking()
			this.pacer.push({ kind: 'end' })
		} finally {
			keepChildWords()
			if (answer.length > 0 && !shed) {
				const text = answer.join(' ')
				this.remember('assistant', text)
				recorder?.record('assistant', text)
			}
			// ? A turn the child went on from was not interrupted by anyone: it is part of the next one.
			if (ctrl.signal.aborted && !this.closed && this.metrics && !this.superseded.has(ctrl)) this.metrics.hot.turnsInterrupted++
			if (!this.closed) this.opts.onTurnEnd?.(this.context())
		}
	}

	private context(): SessionContext {
		return { history: this.history.slice(), startedAt: this.startedAt, turns: this.turns }
	}

	/** Stage latencies of this turn, once, when its first frame reaches the socket. */
	private firstFrameOut(marks: TurnMarks): void {
		this.marks = undefined
		const m = this.metrics
		if (!m) return
		const now = performance.now()
		m.endOfSpeechToFirstFrame.observe(now - marks.endOfSpeechAt)
		if (marks.providerStartAt !== undefined) m.endOfSpeechToProviderStart.observe(marks.providerStartAt - marks.endOfSpeechAt)
		if (marks.firstByteAt !== undefined) m.firstByteToFirstFrame.observe(now - marks.firstByteAt)
	}

	private turnSession(): TurnSession {
		return { id: this.id, deviceId: this.opts.deviceId, startedAt: this.startedAt, turnIndex: this.turns }
	}

	/**
	 * Listening began: the provider may get ready for the answer (prepare), and one that takes
	 * audio while the child speaks gets this turn's as it arrives.
	 */
	private openStream(sampleRate: number): void {
		this.dropStream()
		const { provider, child, log } = this.opts
		provider.prepare?.({ session: this.turnSession(), child })
		if (!provider.openStream) return
		try {
			this.stream = provider.openStream({ session: this.turnSession(), child, sampleRate })
		} catch (err) {
			// The turn is then sent whole when it ends, as for any provider.
			log.warn({ err, sessionId: this.id }, 'uplink stream could not be opened')
		}
	}

	private dropStream(): void {
		const s = this.stream
		this.stream = undefined
		s?.cancel()
	}

	private startSpeaking(): void {
		if (this.speaking) return
		if (this.unanswered) {
			// The answer starts: the turn is over, and what the toy sent while it was coming is not the next one.
			this.unanswered = undefined
			if (this.state === 'thinking') this.uplink.discard()
		}
		this.speaking = true
		this.state = 'speaking'
		this.sink.speechStart()
	}

	private finishSpeaking(): void {
		if (!this.speaking) return
		this.speaking = false
		if (this.state === 'speaking') this.state = 'idle'
		this.sink.speechEnd()
		// Realtime mode is always listening: the next turn starts when the answer ends.
		if (this.listen.bargeIn && this.state === 'idle' && !this.closed) {
			this.uplink.begin(this.uplink.format, this.uplink.sampleRate, true, this.wantsPcm)
			this.vad?.reset()
			this.heardSpeech = false
			this.state = 'listening'
			this.openStream(this.uplink.sampleRate)
		}
	}

	private remember(role: HistoryEntry['role'], text: string): void {
		this.history.push({ role, text })
		if (this.history.length > HISTORY_TURNS) this.history.splice(0, this.history.length - HISTORY_TURNS)
	}
}
