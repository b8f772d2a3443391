// The child's audio sent to the Realtime API while the child is still speaking: each uplink frame
// is resampled to 24 kHz (one streaming resampler per turn, so no clicks at frame edges) and sent
// in 100 ms input_audio_buffer.append events. When the turn ends only the last partial batch is
// left to send, so the answer starts one round trip after the child stops instead of after the
// whole turn has been uploaded.

import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime'
import type { Codec, Resampler } from '../codec'
import { log } from '../obs/logger'
import type { RealtimeConnection } from './openai-realtime-connection'
import type { UplinkStream } from './provider'

export const REALTIME_RATE = 24_000
/** Samples per append: 100 ms is few enough events per second and little added delay. */
const BATCH = REALTIME_RATE / 10

export class RealtimeUplink implements UplinkStream {
	/** Server VAD: the API heard the child stop, so it commits and answers by itself. */
	heardEnd = false
	private conn: RealtimeConnection | undefined
	/** Batches made before the socket was ready (a toy's first turn, or after an idle close). */
	private waiting: Int16Array[] = []
	private readonly batch = new Int16Array(BATCH)
	private fill = 0
	private out = new Int16Array(0)
	private readonly resampler: Resampler | undefined
	/** Audio that could not be sent: the turn then goes whole from answer()'s `pcm`. */
	private lost = false
	private cancelled = false
	private done = false
	/** Server VAD: events since the API heard the child stop, for the answer to replay. */
	private events: RealtimeServerEvent[] = []
	private responding = false

	constructor(
		codec: Codec,
		sampleRate: number,
		private readonly serverVad: boolean,
		private readonly provider: string,
	) {
		this.resampler = sampleRate === REALTIME_RATE ? undefined : codec.createResampler(sampleRate, REALTIME_RATE)
	}

	append(pcm: Int16Array): void {
		if (this.cancelled || this.done || this.lost) return
		try {
			let audio = pcm
			if (this.resampler) {
				const max = this.resampler.maxOutput(pcm.length)
				if (this.out.length < max) this.out = new Int16Array(max)
				audio = this.out.subarray(0, this.resampler.process(pcm, this.out))
			}
			this.take(audio)
		} catch (err) {
			this.fail(err)
		}
	}

	cancel(): void {
		if (this.cancelled || this.done) return
		this.cancelled = true
		this.waiting = []
		const conn = this.conn
		if (!conn || conn.closed) return
		if (this.serverVad) conn.tap(undefined)
		try {
			// The API answers by itself in server-VAD mode: a turn the gateway refused must not be.
			if (this.responding) conn.send({ type: 'response.cancel' })
			conn.send({ type: 'input_audio_buffer.clear' })
		} catch {}
	}

	/** The socket for this toy is ready: what was batched meanwhile goes now. */
	attach(conn: RealtimeConnection): void {
		if (this.conn || this.cancelled || this.done || this.lost) return
		this.conn = conn
		if (this.serverVad) conn.tap((ev) => this.capture(ev))
		for (const b of this.waiting) this.send(b)
		this.waiting = []
	}

	/** The socket could not be opened; answer() tries again and sends the turn whole. */
	fail(err: unknown): void {
		if (this.lost) return
		this.lost = true
		this.waiting = []
		log.debug({ provider: this.provider, err: String(err) }, 'realtime uplink stream lost; the turn will be sent whole')
	}

	/**
	 * The turn ended and answer() has `conn`: sends the resampler's tail and the last partial batch.
	 * Returns the events the API sent since it heard the child stop (server VAD), or undefined if
	 * this socket did not get all of the turn's audio.
	 */
	finish(conn: RealtimeConnection): RealtimeServerEvent[] | undefined {
		if (this.cancelled || this.done) return undefined
		if (!this.conn) this.attach(conn)
		this.done = true
		if (this.serverVad) conn.tap(undefined)
		if (this.lost || this.conn !== conn) return undefined
		if (this.resampler) {
			const tail = new Int16Array(this.resampler.maxFlush())
			this.take(tail.subarray(0, this.resampler.flush(tail)))
		}
		if (this.fill > 0) this.send(this.batch.subarray(0, this.fill))
		this.fill = 0
		return this.lost ? undefined : this.events
	}

	private take(audio: Int16Array): void {
		for (let at = 0; at < audio.length; ) {
			const n = Math.min(BATCH - this.fill, audio.length - at)
			this.batch.set(audio.subarray(at, at + n), this.fill)
			this.fill += n
			at += n
			if (this.fill === BATCH) {
				this.fill = 0
				if (this.conn) this.send(this.batch)
				else this.waiting.push(this.batch.slice())
			}
		}
	}

	private send(pcm: Int16Array): void {
		if (this.lost) return
		try {
			this.conn?.send({ type: 'input_audio_buffer.append', audio: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64') })
		} catch (err) {
			this.fail(err)
		}
	}

	/**
	 * Server VAD: with `create_response` the API commits and answers as soon as it hears the child
	 * stop, often before the gateway ends the turn. Those events are kept for the turn's answer();
	 * a new speech_started means the child went on (and the API cancels that early answer), so what
	 * was kept is dropped.
	 */
	private capture(ev: RealtimeServerEvent): void {
		if (ev.type === 'input_audio_buffer.speech_started') {
			this.heardEnd = false
			this.events = []
			return
		}
		if (ev.type === 'input_audio_buffer.speech_stopped') {
			this.heardEnd = true
			this.events = []
			return
		}
		if (!this.heardEnd) return
		if (ev.type === 'response.created') this.responding = true
		else if (ev.type === 'response.done') this.responding = false
		this.events.push(ev)
	}
}
