import { Elysia } from 'elysia'
import type { DeviceAuthenticator } from '../../auth/device-auth'
import type { AccessGuard } from '../access'
import { SIGNED_IN } from '../access/model'
import { authenticateDevice } from './device-request'
import { ClaimBody, Claimed, ErrorBody, PairStarted } from './model'
import { claimPairing, type PairingDeps, startPairing } from './service'

export interface PairingModuleDeps extends PairingDeps {
	auth: DeviceAuthenticator
	/** The client address of a request that limits count against (modules/edge/client-address.ts). */
	clientIp: (request: Request) => string
	/** Who a parent is (modules/access). */
	access: AccessGuard
}

export function pairingModule(deps: PairingModuleDeps) {
	return new Elysia({ name: 'Pairing', detail: { tags: ['pairing'] } })
		.use(deps.access)
		.post(
			'/api/v1/pair/start',
			async ({ headers }) => {
				const { deviceId } = await authenticateDevice(deps.auth, headers)
				return startPairing(deps, deviceId)
			},
			{
				response: { 200: PairStarted, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
				detail: {
					summary: 'A toy starts pairing',
					description: 'Device-authenticated (`Device-Id` and `Authorization: Bearer` v2/legacy token or device JWT). Returns a fresh 6-digit code, valid 10 minutes, for the toy to speak aloud.',
				},
			},
		)
		.post(
			'/api/v1/pair/claim',
			async ({ parent, body, request }) => claimPairing(deps, parent, body, deps.clientIp(request)),
			{
				parent: true,
				body: ClaimBody,
				response: { 200: Claimed, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 410: ErrorBody, 429: ErrorBody },
				detail: {
					summary: 'A parent binds a toy to one of their children',
					description:
						'`{code, child_id}` or `{device_id, oob_code, child_id}`, signed in as a parent; `child_id` must be a child of your family (another family’s is 404). Five wrong codes for one toy burn its code; claims per IP are limited. A toy connected at the time is asked to reconnect (1012) so it talks as that child; it talks only once the child has parental consent.',
					...SIGNED_IN,
				},
			},
		)
}
