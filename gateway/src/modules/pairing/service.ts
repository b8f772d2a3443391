import { GatewayError } from '../../errors'
import type { DeviceControl } from '../../session/device-control'
import type { Claimant, ClaimOutcome, DeviceRepository, PairingRepository } from '../../store'
import type { AuditRepository } from '../../store/audit'
import type { RateLimiter } from '../../store/rate-limits'
import { audit } from '../access/audit'
import type { ParentPrincipal } from '../access/service'
import type { ClaimedBody, ClaimRequest } from './model'

export const PAIRING_CODE_TTL_SECONDS = 600

export interface PairingDeps {
	devices: DeviceRepository
	pairing: PairingRepository
	/** Claims per client IP, counted before the code is looked at so a right guess past the limit fails too. */
	claimLimiter: RateLimiter
	/** The toy's live socket, closed after a claim so it reconnects as the child it now belongs to. */
	control: DeviceControl
	audit: AuditRepository
}

/** A toy asks to be paired: it is registered if new, and gets a fresh code for ten minutes. */
export async function startPairing(deps: PairingDeps, deviceId: string): Promise<{ code: string; expires_in: number }> {
	const device = await deps.devices.upsertSeen(deviceId)
	if (device.revokedAt) throw new GatewayError('FORBIDDEN', 'this toy has been revoked')
	const issued = await deps.pairing.issue(deviceId, PAIRING_CODE_TTL_SECONDS, false)
	return { code: issued.code, expires_in: PAIRING_CODE_TTL_SECONDS }
}

/** A signed-in parent binds the toy to one of their own children. */
export async function claimPairing(deps: PairingDeps, parent: ParentPrincipal, body: ClaimRequest, ip: string): Promise<ClaimedBody> {
	const verdict = await deps.claimLimiter.take(ip)
	if (!verdict.allowed) {
		throw new GatewayError('RATE_LIMITED', 'too many pairing attempts from this address; wait ten minutes', {
			retryAfterSeconds: verdict.retryAfterSeconds,
		})
	}
	// ! Only a child of the signed-in parent's own family (store/pairing.ts checks it in the claim's transaction).
	const claimant = { familyId: parent.familyId, childId: body.child_id }
	const outcome = await claim(deps, body, claimant)
	if (outcome.kind !== 'paired') throw refusal(outcome)
	await audit(deps.audit, parent, 'device.pair', { childId: body.child_id, targetId: outcome.deviceId })
	// ? A toy talking unpaired (pairing optional) picks up its child's profile when it reconnects.
	await deps.control.disconnect(outcome.deviceId, 'RESTARTING', 'paired with a child: reconnect')
	return { device_id: outcome.deviceId, child_id: body.child_id, paired: true }
}

async function claim(deps: PairingDeps, body: ClaimRequest, claimant: Claimant): Promise<ClaimOutcome> {
	if ('code' in body) return deps.pairing.claimByCode(body.code, claimant)
	if ('oob_code' in body) return deps.pairing.claimByDevice(body.device_id, body.oob_code, claimant)
	// ? A box code never expires: guesses at one toy's code are also counted per toy, wherever they come from.
	const perToy = await deps.claimLimiter.take(`box:${body.device_id}`)
	if (!perToy.allowed) {
		throw new GatewayError('RATE_LIMITED', 'too many attempts at this toy’s box code; wait ten minutes', { retryAfterSeconds: perToy.retryAfterSeconds })
	}
	return deps.pairing.claimByBox(body.device_id, body.box_code, claimant)
}

function refusal(outcome: Exclude<ClaimOutcome, { kind: 'paired' }>): GatewayError {
	switch (outcome.kind) {
		case 'unknown_code':
			return new GatewayError('PAIRING_CODE_INVALID', 'no toy is waiting for that code; check the digits the toy said')
		case 'wrong':
			return new GatewayError('PAIRING_CODE_INVALID', `wrong code; ${outcome.attemptsLeft} attempt(s) left before it stops working`)
		case 'burned':
			return new GatewayError('RATE_LIMITED', 'too many wrong codes for this toy; start pairing on the toy again for a new code')
		case 'expired':
			return new GatewayError('PAIRING_CODE_EXPIRED', 'that code has expired; start pairing on the toy again for a new code')
		case 'no_child':
			return new GatewayError('NOT_FOUND', 'no such child in your family')
		case 'taken':
			return new GatewayError('CONFLICT', 'this toy is paired with another child; its owner must unpair it first')
	}
}
