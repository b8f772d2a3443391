import { Elysia, t } from 'elysia'
import { GatewayError } from '../../errors'
import type { DeviceAuthenticator } from '../../auth/device-auth'
import type { AccessGuard } from '../access'
import { SIGNED_IN } from '../access/model'
import { authenticateDevice } from './device-request'
import { claimDevice, type DeviceClaimDeps } from './device-claim'
import { ClaimBody, Claimed, DeviceClaimed, ErrorBody, PairStarted } from './model'
import { claimPairing, type PairingDeps, startPairing } from './service'

export interface PairingModuleDeps extends PairingDeps {
	auth: DeviceAuthenticator
	/** The client address of a request that limits count against (modules/edge/client-address.ts). */
	clientIp: (request: Request) => string
	/** Who a parent is (modules/access). */
	access: AccessGuard
	/** The seed firmware's own claim (device-claim.ts). */
	deviceClaim: DeviceClaimDeps
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
			async ({ signInParent, body, request }) => {
				// ? One path, two callers, told apart by the body: a toy's claim carries an HMAC, a parent's a child.
				if ('hmac' in body) {
					await takeClaim(deps, deps.clientIp(request))
					return claimDevice(deps.deviceClaim, body)
				}
				return claimPairing(deps, await signInParent(), body, deps.clientIp(request))
			},
			{
				lazyParent: true,
				body: ClaimBody,
				response: { 200: t.Union([Claimed, DeviceClaimed]), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 410: ErrorBody, 429: ErrorBody },
				detail: {
					summary: 'A parent binds a toy to a child, or a toy claims its device token',
					description:
						'Two callers, told apart by the body.\n\n**Parent** (signed in): `{code, child_id}`, `{device_id, oob_code, child_id}`, or `{device_id, box_code, child_id}` with the code printed on the toy’s box (claims only a toy paired to no other child: else `409 CONFLICT`); `child_id` must be a child of your family (another family’s is 404). Five wrong codes for one toy burn its code; claims per IP are limited. A toy connected at the time is asked to reconnect (1012) so it talks as that child; it talks only once the child has parental consent. Answer: `{device_id, child_id, paired:true}`.\n\n**Toy** (seed firmware at boot, no session): `{device_id, oob_secret, nonce, timestamp, hmac}` — `oob_secret` = upper-case hex `SHA256(hex(SHA256(device_id + ":" + salt)) + salt)` with `salt` from `GET /api/v1/esp32/config` (`claim.salt`); `hmac` = hex `HMAC_SHA256(device_key, "claim|" + device_id + "|" + timestamp + "|" + nonce + "|" + oob_secret)`; `timestamp` unix seconds within the token window; each nonce once. Compared in constant time; any mismatch is `401`. Answer: `{device_id, token, token_type:"Bearer", expires_in, paired}` — the device JWT for the WebSocket.',
					...SIGNED_IN,
				},
			},
		)
}

/** Claims per client IP count toys and parents alike: the brute-force bound on both kinds. */
async function takeClaim(deps: PairingModuleDeps, ip: string): Promise<void> {
	const verdict = await deps.claimLimiter.take(ip)
	if (!verdict.allowed) {
		throw new GatewayError('RATE_LIMITED', 'too many pairing attempts from this address; wait ten minutes', { retryAfterSeconds: verdict.retryAfterSeconds })
	}
}
