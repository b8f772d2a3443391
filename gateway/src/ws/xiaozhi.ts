import type { OpusRate } from '../codec'
import { GatewayError } from '../errors'
import type { Logger } from '../obs/logger'
import type { Session, SessionSink } from '../session/session'
import { FRAME_JSON, FrameError, opusFrame, parseFrame, type ProtocolVersion } from './binary-frame'
import type { DeviceSocket, ProtocolHandler } from './connection'
import { XiaozhiDeviceTools } from './device-tools'
import { EMOJI, type Emotion, emotionOf } from './emotion'
import { parseTyped } from './json-message'
import { type XiaozhiMessage, xiaozhiCheckers } from './xiaozhi-messages'
import { closeWithError, resumeAudio, sendAudio, sendJson } from './send'

// Adapter for xiaozhi-esp32 firmware (PROTOCOL.md §4): JSON control in text frames (or in
// binary json frames for v2/v3), Opus in binary frames. Translates only; the Session decides.

export interface XiaozhiLimits {
	textFrameBytes: number
	binaryFrameBytes: number
	helloTimeoutMs: number
}

export type ListenMode = 'auto' | 'manual' | 'realtime'

const decoder = new TextDecoder()

export class XiaozhiAdapter implements ProtocolHandler, SessionSink {
	private session!: Session
	private helloTimer: ReturnType<typeof setTimeout> | undefined
	private greeted = false
	private uplinkRate: OpusRate = 16000
	/** Media time of the next downlink frame (v2 header timestamp; the toy echoes it for server-side AEC). */
	private downlinkMs = 0
	/** The face shown for the answer being spoken; a new one is sent only when it changes. */
	private face: Emotion | undefined
	mode: ListenMode = 'auto'
	readonly tools: XiaozhiDeviceTools

	constructor(
		private readonly ws: DeviceSocket,
		private readonly log: Logger,
		private readonly version: ProtocolVersion,
		private readonly limits: XiaozhiLimits,
		gatewayVersion = '0.1.0',
	) {
		this.tools = new XiaozhiDeviceTools((msg) => sendJson(this.ws, { ...msg, session_id: this.session?.id }), log, gatewayVersion)
		this.helloTimer = setTimeout(() => {
			this.fail(new GatewayError('HELLO_TIMEOUT', `no hello within ${limits.helloTimeoutMs} ms`))
		}, limits.helloTimeoutMs)
	}

	attach(session: Session): void {
		this.session = session
	}

	message(data: string | Buffer): void {
		try {
			if (typeof data === 'string') this.text(data)
			else this.binary(data)
		} catch (err) {
			if (!(err instanceof GatewayError)) throw err
			this.fail(err)
		}
	}

	close(): void {
		clearTimeout(this.helloTimer)
		this.tools.close()
		this.session?.close()
	}

	busy(): boolean {
		return this.session.state === 'thinking' || this.session.state === 'speaking'
	}

	state(): string {
		return this.session.state
	}

	// SessionSink ----------------------------------------------------------------------------

	transcript(text: string): void {
		sendJson(this.ws, { type: 'stt', text, session_id: this.session.id })
	}

	speechStart(): void {
		resumeAudio(this.ws)
		this.face = undefined
		sendJson(this.ws, { type: 'tts', state: 'start', session_id: this.session.id })
	}

	sentence(text: string): void {
		// The face goes first, so the toy shows it as the sentence starts.
		const face = emotionOf(text)
		if (face !== this.face) {
			this.face = face
			sendJson(this.ws, { type: 'llm', text: EMOJI[face], emotion: face, session_id: this.session.id })
		}
		sendJson(this.ws, { type: 'tts', state: 'sentence_start', text, session_id: this.session.id })
	}

	audio(packet: Uint8Array): void {
		this.downlinkMs += this.session.downlinkFormat.frameMs
		sendAudio(this.ws, opusFrame(this.version, packet, this.downlinkMs))
	}

	speechEnd(): void {
		sendJson(this.ws, { type: 'tts', state: 'stop', session_id: this.session.id })
	}

	// Wire → session --------------------------------------------------------------------------

	private text(data: string): void {
		if (data.length > this.limits.textFrameBytes || Buffer.byteLength(data) > this.limits.textFrameBytes) {
			throw new GatewayError('FRAME_TOO_LARGE', `text frame exceeds ${this.limits.textFrameBytes} bytes`)
		}
		this.control(parseTyped<XiaozhiMessage>(data, xiaozhiCheckers))
	}

	private binary(data: Buffer): void {
		if (data.byteLength > this.limits.binaryFrameBytes) {
			throw new GatewayError('FRAME_TOO_LARGE', `binary frame exceeds ${this.limits.binaryFrameBytes} bytes`)
		}
		// ? The browser test page ends a recording with a 0-byte frame; it carries no audio, so it is
		//   ignored in every version (as is a v2/v3 header announcing an empty payload, below).
		if (data.byteLength === 0) return
		let frame: ReturnType<typeof parseFrame>
		try {
			frame = parseFrame(this.version, data)
		} catch (err) {
			if (err instanceof FrameError) throw new GatewayError('BAD_REQUEST', err.message)
			throw err
		}
		if (frame.type === FRAME_JSON) return this.text(decoder.decode(frame.payload))
		if (frame.payload.byteLength === 0) return
		if (!this.greeted) throw new GatewayError('BAD_REQUEST', 'audio before hello')
		// ? The session drops audio outside a listening window (e.g. the tail after listen stop),
		// except in realtime mode, where it listens over the answer for barge-in.
		this.session.pushAudio(frame.payload)
	}

	private control(msg: XiaozhiMessage): void {
		if (msg.type !== 'hello' && !this.greeted) throw new GatewayError('BAD_REQUEST', `"${msg.type}" before hello`)
		switch (msg.type) {
			case 'hello': {
				clearTimeout(this.helloTimer)
				this.helloTimer = undefined
				this.greeted = true
				if (msg.audio_params) this.uplinkRate = msg.audio_params.sample_rate as OpusRate
				const d = this.session.downlinkFormat
				sendJson(this.ws, {
					type: 'hello',
					transport: 'websocket',
					session_id: this.session.id,
					audio_params: { format: 'opus', sample_rate: d.sampleRate, channels: 1, frame_duration: d.frameMs },
				})
				if (msg.features?.mcp === true) this.tools.startMcp()
				return
			}
			case 'ping':
				sendJson(this.ws, { type: 'pong' })
				return
			case 'listen':
				return this.listen(msg.state, msg.mode, msg.text)
			case 'abort':
				this.session.interrupt()
				return
			case 'goodbye':
				this.session.interrupt()
				this.ws.close(1000, 'goodbye')
				return
			case 'mcp':
				this.tools.onMcp(msg.payload)
				return
			case 'iot':
				this.tools.onIot(msg)
				return
		}
	}

	private listen(state: 'start' | 'stop' | 'detect', mode: ListenMode | undefined, text: string | undefined): void {
		if (state === 'detect') {
			// Wake word heard on the toy: answer it like something the child said (the session
			// shows the words once, as for every turn).
			if (text) this.session.say(text)
			return
		}
		if (state === 'start') {
			this.mode = mode ?? this.mode
			this.session.beginListening('opus', this.uplinkRate, { endpointing: this.mode !== 'manual', bargeIn: this.mode === 'realtime' })
			return
		}
		this.session.endListening()
	}

	private fail(err: GatewayError): void {
		this.log.warn({ cid: this.ws.data.cid, code: err.code, reason: err.message }, 'bad input from device')
		if (this.ws.readyState === 1) closeWithError(this.ws, err)
	}
}
