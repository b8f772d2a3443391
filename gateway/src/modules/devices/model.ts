import { t } from 'elysia'

export const Device = t.Object({
	device_id: t.String(),
	child_id: t.String({ description: 'the child the toy is paired to' }),
	online: t.Boolean({ description: 'connected to this gateway now' }),
	firmware_version: t.Union([t.String(), t.Null()], { description: 'as the toy last reported it at check-in' }),
	last_seen_at: t.String({ format: 'date-time' }),
	paired_since: t.String({ format: 'date-time', description: 'when the toy was first seen' }),
})

export const DeviceList = t.Object({ devices: t.Array(Device) })
export const DeviceParams = t.Object({ id: t.String({ maxLength: 64, description: 'the toy’s device id' }) })
export const Unpaired = t.Object({ device_id: t.String(), unpaired: t.Literal(true), disconnected: t.Boolean() })
