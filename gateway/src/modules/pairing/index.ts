import { Elysia } from 'elysia'
import type { DeviceAuthenticator } from '../../auth/device-auth'
import { GatewayError } from '../../errors'
import { authenticateDevice, bearerOf } from './device-request'
import { ClaimBody, Claimed, ErrorBody, PairStarted } from './model'
import { claimPairing, isParent, type PairingDeps, startPairing } from './service'

export interface PairingModuleDeps extends PairingDeps {
	auth: DeviceAuthenticator
	/** The client address of a request that limits count against (modules/edge/client-address.ts). */
	clientIp: (request: Request) => string
}

export function pairingModule(deps: PairingModuleDeps) {
	return new Elysia({ name: 'Pairing', detail: { tags: ['pairing'] } })
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
			async ({ headers, body, request }) => {
				if (!isParent(deps, bearerOf(headers))) throw new GatewayError('UNAUTHORIZED', 'a parent bearer token is required')
				return claimPairing(deps, body, deps.clientIp(request))
			},
			{
				body: ClaimBody,
				response: { 200: Claimed, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 410: ErrorBody, 429: ErrorBody },
				detail: {
					summary: 'A parent binds a toy to a child',
					description:
						'`{code, child_id}` or `{device_id, oob_code, child_id}`. Until parent accounts exist the parent is authenticated with the operator-issued `PARENT_API_TOKEN` bearer (stop-gap). Five wrong codes for one toy burn its code; claims per IP are limited.',
				},
			},
		)
}
