import { Elysia } from 'elysia'
import type { AccessGuard } from '../access'
import { ErrorBody, SIGNED_IN } from '../access/model'
import { Device, DeviceList, DeviceParams, Unpaired } from './model'
import type { DevicesService, DeviceStatus } from './service'

const body = (d: DeviceStatus) => ({
	device_id: d.deviceId,
	child_id: d.childId,
	online: d.online,
	firmware_version: d.firmwareVersion,
	last_seen_at: d.lastSeenAt.toISOString(),
	paired_since: d.createdAt.toISOString(),
})

export function devicesModule(deps: { service: DevicesService; access: AccessGuard }) {
	const { service } = deps
	const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }
	return new Elysia({ name: 'Devices', detail: { tags: ['devices'] } })
		.use(deps.access)
		.get('/api/v1/devices', async ({ parent }) => ({ devices: (await service.list(parent)).map(body) }), {
			parent: true,
			response: { 200: DeviceList, ...errors },
			detail: { summary: 'Your family’s toys: online, firmware, last seen', ...SIGNED_IN },
		})
		.get('/api/v1/devices/:id', async ({ parent, params }) => body(await service.get(parent, params.id)), {
			parent: true,
			params: DeviceParams,
			response: { 200: Device, ...errors },
			detail: { summary: 'One toy’s status', ...SIGNED_IN },
		})
		.delete(
			'/api/v1/devices/:id',
			async ({ parent, params }) => {
				const { disconnected } = await service.unpair(parent, params.id)
				return { device_id: params.id, unpaired: true as const, disconnected }
			},
			{
				parent: true,
				params: DeviceParams,
				response: { 200: Unpaired, ...errors },
				detail: {
					summary: 'Unpair a toy',
					description: 'Every device token the toy holds stops working, and its live connection is closed with 4403 at once. The toy must be paired again to talk.',
					...SIGNED_IN,
				},
			},
		)
}
