import { GatewayError } from '../../errors'
import type { DeviceControl } from '../../session/device-control'
import type { DeviceRepository } from '../../store'
import type { AuditRepository } from '../../store/audit'
import type { FamilyDevice, FamilyDeviceRepository } from '../../store/family-devices'
import { audit } from '../access/audit'
import type { ParentPrincipal } from '../access/service'

// A family's toys: their status, and unpairing. Unpairing bumps the toy's token generation (a
// trigger in sql/0002), so every device JWT it holds stops working, and closes its live socket
// with 4403 at once.

export interface DevicesDeps {
	family: FamilyDeviceRepository
	devices: DeviceRepository
	control: DeviceControl
	audit: AuditRepository
}

export interface DeviceStatus extends FamilyDevice {
	online: boolean
}

const notFound = () => new GatewayError('NOT_FOUND', 'no such toy in your family')

export class DevicesService {
	constructor(private readonly d: DevicesDeps) {}

	async list(p: ParentPrincipal): Promise<DeviceStatus[]> {
		const devices = await this.d.family.ofFamily(p.familyId)
		return Promise.all(devices.map(async (dev) => ({ ...dev, online: await this.d.control.isOnline(dev.deviceId) })))
	}

	async get(p: ParentPrincipal, deviceId: string): Promise<DeviceStatus> {
		const dev = await this.d.family.get(p.familyId, deviceId)
		if (!dev) throw notFound()
		return { ...dev, online: await this.d.control.isOnline(dev.deviceId) }
	}

	async unpair(p: ParentPrincipal, deviceId: string): Promise<{ disconnected: boolean }> {
		const dev = await this.d.family.get(p.familyId, deviceId)
		if (!dev) throw notFound()
		await this.d.devices.unpair(deviceId)
		await audit(this.d.audit, p, 'device.unpair', { childId: dev.childId, targetId: deviceId })
		return { disconnected: await this.d.control.disconnect(deviceId, 'FORBIDDEN', 'a parent unpaired this toy; pair it again to talk') }
	}
}
