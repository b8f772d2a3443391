import { GatewayError } from '../errors'
import type { Logger } from '../obs/logger'
import type { Session, SessionSink } from '../session/session'
import type { DeviceSocket, ProtocolHandler } from './connection'
import { type SeedMessage, seedCheckers } from './seed-json-messages'
import { parseTyped } from './json-message'
import { closeWithError, resumeAudio, sendAudio, sendJson } from './send'

// Adapter for the seed-json protocol (PROTOCOL.md §3): JSON text frames with base64 audio.
// It translates; the Session decides.

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export class SeedJsonAdapter implements ProtocolHandler, SessionSink {
	private seq = 0
	private pendingText = ''
	private audioSessionId: string | undefined
	private session!: Session

	constructor(
		private readonly ws: DeviceSocket,
		private readonly log: Logger,
		private readonly maxTextBytes: number,
	) {}

	attach(session: Session): void {
		this.session = session
	}

	message(data: string | Buffer): void {
		try {
			this.handle(data)
		} catch (err) {
			if (!(err instanceof GatewayError)) throw err
			this.log.warn({ cid: this.ws.data.cid, code: err.code, reason: err.message }, 'bad input from device')
			closeWithError(this.ws, err)
		}
	}

	close(): void {
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
		sendJson(this.ws, { type: 'transcript', text, audio_session_id: this.audioSessionId })
	}

	speechStart(): void {
		this.seq = 0
		resumeAudio(this.ws)
	}

	sentence(text: string): void {
		this.pendingText = text
	}

	audio(packet: Uint8Array): void {
		const { format, sampleRate, frameMs } = this.session.downlinkFormat
		// ? An MP3 piece is two 576-sample frames, 52.2 ms: the field is whole ms (PROTOCOL.md §3).
		sendAudio(this.ws, JSON.stringify({
			type: 'audio_response',
			audio_data: Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength).toString('base64'),
			// The sentence's text rides on its first piece only: the toy may show it, not repeat it.
			text: this.pendingText,
			format,
			sample_rate: sampleRate,
			frame_duration: Math.round(frameMs),
			seq: this.seq++,
			final: false,
		}))
		this.pendingText = ''
	}

	speechEnd(): void {
		const { format, sampleRate, frameMs } = this.session.downlinkFormat
		sendJson(this.ws, {
			type: 'audio_response',
			audio_data: '',
			text: '',
			format,
			sample_rate: sampleRate,
			frame_duration: Math.round(frameMs),
			seq: this.seq++,
			final: true,
		})
	}

	// Wire → session --------------------------------------------------------------------------

	private handle(data: string | Buffer): void {
		if (typeof data !== 'string') throw new GatewayError('INVALID_MESSAGE', 'seed-json takes text frames only')
		if (data.length > this.maxTextBytes || Buffer.byteLength(data) > this.maxTextBytes) {
			throw new GatewayError('FRAME_TOO_LARGE', `text frame exceeds ${this.maxTextBytes} bytes`)
		}
		const msg = parse(data)
		switch (msg.type) {
			case 'ping':
				sendJson(this.ws, { type: 'pong' })
				return
			case 'audio_start':
				this.audioSessionId = msg.audio_session_id
				this.session.setDownlinkFormat(msg.response_format ?? 'opus')
				this.session.beginListening(msg.format ?? 'pcm16', msg.sample_rate ?? 16000)
				return
			case 'audio_chunk': {
				if (msg.audio_data.length % 4 !== 0 || !BASE64.test(msg.audio_data)) {
					throw new GatewayError('INVALID_MESSAGE', 'audio_data is not valid base64')
				}
				if (this.session.state !== 'listening') {
					throw new GatewayError('INVALID_MESSAGE', 'audio_chunk outside audio_start … audio_end')
				}
				const ended = this.session.pushAudio(Buffer.from(msg.audio_data, 'base64'))
				if (!ended && msg.is_final) this.session.endListening()
				return
			}
			case 'audio_end':
				this.session.endListening()
				return
			case 'text':
				this.session.say(msg.text)
				return
		}
	}
}

function parse(data: string): SeedMessage {
	return parseTyped<SeedMessage>(data, seedCheckers)
}
