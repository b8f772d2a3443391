import { GatewayError } from '../errors'
import type { Logger } from '../obs/logger'
import type { DeviceRegistry } from './device-registry'
import { closeWithError } from './send'

// A toy revoked by an operator (scripts/device.ts revoke) gets no new connection, but may still
// hold one opened before, from any replica. Every interval one query asks which connected toys are
// revoked, and those are closed with FORBIDDEN (4403): revocation ends a stolen token's session too.

export interface RevocationSweepDeps {
	registry: DeviceRegistry
	revokedAmong: (deviceIds: string[]) => Promise<string[]>
	intervalMs: number
	log: Logger
}

export function startRevocationSweep(deps: RevocationSweepDeps): () => void {
	let running = false
	const sweep = async () => {
		if (running || deps.registry.size === 0) return
		running = true
		try {
			const ids = Array.from(deps.registry.all(), (ws) => ws.data.deviceId)
			for (const deviceId of await deps.revokedAmong(ids)) {
				const ws = deps.registry.get(deviceId)
				if (!ws) continue
				deps.log.warn({ cid: ws.data.cid, device: deviceId }, 'closing the connection of a revoked toy')
				closeWithError(ws, new GatewayError('FORBIDDEN', 'this toy has been revoked'))
			}
		} catch (err) {
			// the next sweep tries again; a database outage must not touch the toys' sessions
			deps.log.error({ err: (err as Error).message }, 'revocation sweep failed')
		} finally {
			running = false
		}
	}
	const timer = setInterval(() => void sweep(), deps.intervalMs)
	timer.unref?.()
	return () => clearInterval(timer)
}
