import type { ErrorCode } from '../errors'

// How the parent side reaches a toy's live socket (unpair, consent withdrawn, operator action)
// without knowing sockets: implemented by ws/device-registry.ts for the toys connected to this
// gateway, injected from gateway.ts. Reaching toys on other replicas comes later, behind the same
// interface (cross-node pub/sub).

export interface DeviceControl {
	/** Sends the toy an `error` with `code`, then closes with that code's close code (4403 for FORBIDDEN). */
	disconnect(deviceId: string, code: ErrorCode, message: string): boolean
	isOnline(deviceId: string): boolean
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
