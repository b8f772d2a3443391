import type { ErrorCode } from '../errors'

// How the parent side reaches a toy's live socket (unpair, consent withdrawn, operator action)
// without knowing sockets, injected from gateway.ts: ws/fleet-node.ts reaches the toy on whichever
// gateway of the fleet holds it (Redis presence, pub/sub); ws/device-registry.ts only this one's.

/** Why a toy is closed from outside its session. */
export type FleetDisconnectCode = Extract<ErrorCode, 'FORBIDDEN' | 'RESTARTING' | 'CONSENT_REQUIRED'>

/** The toy was closed here, or the command was handed to the node that holds it. */
export type Reached = boolean | Promise<boolean>

export interface DeviceControl {
	/** Sends the toy an `error` with `code`, then closes with that code's close code (4403 for FORBIDDEN). */
	disconnect(deviceId: string, code: FleetDisconnectCode, message: string): Reached
	/** Connected to this gateway or (with Redis) any other. */
	isOnline(deviceId: string): Reached
	/** The toys connected here, for operators. */
	connections(): LiveConnection[]
}

export interface LiveConnection {
	deviceId: string
	protocol: string
	ip: string
	connectedAt: number
	lastFrameAt: number
}
