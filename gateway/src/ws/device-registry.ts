import { CLOSE } from '../errors'
import { sendError } from './send'
import type { DeviceSocket } from './connection'

// One live connection per device (PROTOCOL.md §5): a newer authenticated connection replaces
// the older one, which is told why and closed with 4409.

export class DeviceRegistry {
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
}
