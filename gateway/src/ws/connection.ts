import type { ServerWebSocket } from 'bun'
import type { GatewayError } from '../errors'
import type { HotCounters } from '../obs/metrics'

// What every device socket carries, whatever its protocol. Kept small: thousands of these live
// at once and most of them are idle.

export interface ProtocolHandler {
	message(data: string | Buffer): void | Promise<void>
	close(code: number): void
	/** True while a turn is being answered: such a toy is not idle even if it sends nothing. */
	busy(): boolean
	/** The session's state, for the sessions-by-state gauge. */
	state?(): string
}

export interface ConnectionData {
	/** Correlation id: in every log line and REST error about this connection. */
	cid: string
	protocol: 'seed-json' | 'xiaozhi'
	deviceId: string
	ip: string
	/** Set when the handshake failed: the socket opens only to say why, then closes. */
	reject?: GatewayError
	/** Made during the (async) handshake; called once, synchronously, when the socket opens. */
	attach?: (ws: DeviceSocket) => ProtocolHandler
	handler?: ProtocolHandler
	lastFrameAt: number
	/** When the socket opened (operators' list of live connections). */
	connectedAt?: number
	/** Set when the toy stopped reading mid-answer; cleared at the next answer (ws/send.ts). */
	audioDropped?: boolean
	/** xiaozhi protocol version (1-3), for the connected-toys gauge. */
	protocolVersion?: number
	/** The gateway's frame counters (one object for all sockets); absent when metrics are off. */
	counters?: HotCounters
	/** The gateway's send-buffer policy (ws/send.ts). */
	send: SendPolicy
}

/** The send-buffer policy of one gateway (made in gateway.ts by ws/send.ts, carried on each socket's data). */
export interface SendPolicy {
	/** Buffered bytes past which the rest of an answer's audio is dropped. */
	readonly audioCap: number
}

export type DeviceSocket = ServerWebSocket<ConnectionData>
