import { CLOSE, type ErrorCode, GatewayError } from '../errors'
import type { DeviceControl, LiveConnection } from '../session/device-control'
import { closeWithError, sendError } from './send'
import type { DeviceSocket } from './connection'

// One live connection per device (PROTOCOL.md §5): a newer authenticated connection replaces
// the older one, which is told why and closed with 4409.

export class DeviceRegistry implements DeviceControl {
	private readonly sockets = new Map<string, DeviceSocket>()

	add(ws: DeviceSocket): void {
		const old = this.sockets.get(ws.data.deviceId)
		this.sockets.set(ws.data.deviceId, ws)
		if (old && old !== ws) {
			// The old session ends now, before the new one is built, so its context can be resumed.
			old.data.handler?.close(CLOSE.replaced)
			old.data.handler = undefined
			sendError(old, 'REPLACED', 'a newer connection of this device replaced this one')
			old.close(CLOSE.replaced, 'replaced')
		}
	}

	remove(ws: DeviceSocket): void {
		if (this.sockets.get(ws.data.deviceId) === ws) this.sockets.delete(ws.data.deviceId)
	}

	get(deviceId: string): DeviceSocket | undefined {
		return this.sockets.get(deviceId)
	}

	get size(): number {
		return this.sockets.size
	}

	all(): IterableIterator<DeviceSocket> {
		return this.sockets.values()
	}

	// DeviceControl (parent side and operators) ------------------------------------------------

	disconnect(deviceId: string, code: ErrorCode, message: string): boolean {
		const ws = this.sockets.get(deviceId)
		if (!ws) return false
		// The session ends first so nothing more is spoken, then the toy reads why.
		ws.data.handler?.close(CLOSE.forbidden)
		ws.data.handler = undefined
		closeWithError(ws, new GatewayError(code, message))
		return true
	}

	isOnline(deviceId: string): boolean {
		return this.sockets.has(deviceId)
	}

	connections(): LiveConnection[] {
		return [...this.sockets.values()].map((ws) => ({
			deviceId: ws.data.deviceId,
			protocol: ws.data.protocol,
			ip: ws.data.ip,
			connectedAt: ws.data.connectedAt ?? ws.data.lastFrameAt,
			lastFrameAt: ws.data.lastFrameAt,
		}))
	}
}
