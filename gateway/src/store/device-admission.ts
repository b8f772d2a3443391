import type postgres from 'postgres'
import { GatewayError } from '../errors'
import { type Device, DeviceRepository } from './devices'
import type { RateLimiter } from './rate-limits'

// The fleet-wide ceiling on new device registrations (DEVICE_REGISTRATIONS_PER_MINUTE). Every path
// that registers a toy on first contact (OTA check-in, token exchange, pairing start, WebSocket)
// goes through `upsertSeen`; a toy already known is never counted, so a flood of invented
// Device-Ids (each of which would hold a pairing code) cannot crowd out the toys that exist.
export class AdmittedDeviceRepository extends DeviceRepository {
	constructor(
		sql: postgres.Sql,
		private readonly registrations: RateLimiter,
	) {
		super(sql)
	}

	override async upsertSeen(deviceId: string): Promise<Device> {
		if (!(await this.get(deviceId))) {
			const verdict = await this.registrations.take('all')
			if (!verdict.allowed) {
				throw new GatewayError('RATE_LIMITED', 'too many new toys are registering right now; try again shortly', {
					retryAfterSeconds: verdict.retryAfterSeconds,
				})
			}
		}
		return super.upsertSeen(deviceId)
	}
}
