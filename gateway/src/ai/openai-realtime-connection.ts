// One Realtime WebSocket through the SDK, made awaitable: open it, configure the session, send
// events, and hand each server event to whoever runs the current turn. The model keeps the
// conversation in this socket, so one lives as long as a toy's session.
//
// Authentication: the SDK's server client (OpenAIRealtimeWS, on Bun's built-in `ws`) sends the key
// in an `Authorization` header, with the family's `OpenAI-Safety-Identifier` beside it. Its browser
// client (OpenAIRealtimeWebSocket) can only put the key into a WebSocket subprotocol string, which
// proxies and load balancers log like any header value; it is used only for a plain-http base URL
// (a local OpenAI-compatible server), because the server client always dials wss.

import type OpenAI from 'openai'
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket'
import { OpenAIRealtimeWS } from 'openai/realtime/ws'
import type { RealtimeClientEvent, RealtimeServerEvent, RealtimeSessionCreateRequest } from 'openai/resources/realtime/realtime'
import { ProviderError } from './errors'

export type ServerEventHandler = (event: RealtimeServerEvent) => void

export class RealtimeConnection {
	private handler: ServerEventHandler | undefined
	private tapHandler: ServerEventHandler | undefined
	private closedWith: Error | undefined
	private readonly closeWaiters = new Set<(err: Error) => void>()
	/** Resolves when the response in progress ends (response.done); a new one must wait for it. */
	responseDone: Promise<void> = Promise.resolve()
	lastUsed = Date.now()

	private constructor(
		private readonly rt: OpenAIRealtimeWS | OpenAIRealtimeWebSocket,
		private readonly provider: string,
	) {
		rt.on('event', (ev) => {
			this.tapHandler?.(ev)
			this.handler?.(ev)
		})
		// ? The SDK turns `error` events into this callback; without one it rejects unhandled.
		rt.on('error', () => {})
		rt.socket.addEventListener('close', () => this.fail(new ProviderError(provider, 'chat', 'realtime socket closed')))
	}

	static async open(
		client: OpenAI,
		model: string,
		session: RealtimeSessionCreateRequest,
		provider: string,
		timeoutMs: number,
		safetyId?: string,
	): Promise<RealtimeConnection> {
		const rt = client.baseURL.startsWith('http://')
			? new OpenAIRealtimeWebSocket(
					{
						model,
						// ! The SDK always dials wss; a local server on plain http (OPENAI_BASE_URL) needs ws.
						onURL: (url) => {
							url.protocol = 'ws:'
						},
					},
					client,
				)
			: new OpenAIRealtimeWS({ model, options: { headers: safetyId ? { 'OpenAI-Safety-Identifier': safetyId } : {} } }, client)
		const conn = new RealtimeConnection(rt, provider)
		try {
			await conn.until((ev) => ev.type === 'session.created', timeoutMs, 'connect')
			conn.send({ type: 'session.update', session })
			await conn.until((ev) => ev.type === 'session.updated', timeoutMs, 'session.update')
		} catch (err) {
			conn.close()
			throw err
		}
		return conn
	}

	get closed(): boolean {
		return this.closedWith !== undefined
	}

	/** Routes server events to this turn (replacing the previous turn's handler). */
	listen(handler: ServerEventHandler | undefined): void {
		this.handler = handler
	}

	/**
	 * A second listener beside the turn's: a turn being streamed watches the API's VAD before its
	 * answer() has taken over (the previous turn's handler is still the current one).
	 */
	tap(handler: ServerEventHandler | undefined): void {
		this.tapHandler = handler
	}

	/** Calls back once if the socket dies; returns the unsubscribe. */
	onClose(cb: (err: Error) => void): () => void {
		if (this.closedWith) {
			cb(this.closedWith)
			return () => {}
		}
		this.closeWaiters.add(cb)
		return () => this.closeWaiters.delete(cb)
	}

	send(event: RealtimeClientEvent): void {
		if (this.closedWith) throw this.closedWith
		this.lastUsed = Date.now()
		this.rt.send(event)
	}

	close(): void {
		this.fail(new ProviderError(this.provider, 'chat', 'realtime connection closed'))
		try {
			this.rt.close({ code: 1000, reason: 'done' })
		} catch {}
	}

	private fail(err: Error): void {
		if (this.closedWith) return
		this.closedWith = err
		for (const cb of this.closeWaiters) cb(err)
		this.closeWaiters.clear()
	}

	/** Waits for the first server event matching `match`; an `error` event or a close fails it. */
	private until(match: (ev: RealtimeServerEvent) => boolean, timeoutMs: number, what: string): Promise<void> {
		return new Promise((resolve, reject) => {
			const done = (err?: Error) => {
				clearTimeout(timer)
				off()
				this.handler = undefined
				if (err) reject(err)
				else resolve()
			}
			const timer = setTimeout(() => done(new ProviderError(this.provider, 'chat', `${what} timed out`)), timeoutMs)
			const off = this.onClose((err) => done(err))
			this.handler = (ev) => {
				if (ev.type === 'error') done(new ProviderError(this.provider, 'chat', `${what}: ${ev.error.message}`))
				else if (match(ev)) done()
			}
		})
	}
}
