import { createHash, timingSafeEqual } from 'node:crypto'
import { GatewayError } from '../../errors'
import type { ChildRepository, Claimant, ClaimOutcome, DeviceRepository, PairingRepository } from '../../store'
import type { RateLimiter } from '../../store/rate-limits'
import type { ClaimedBody, ClaimRequest } from './model'

export const PAIRING_CODE_TTL_SECONDS = 600

export interface PairingDeps {
	devices: DeviceRepository
	children: ChildRepository
	pairing: PairingRepository
	/** Claims per client IP, counted before the code is looked at so a right guess past the limit fails too. */
	claimLimiter: RateLimiter
	/** Stop-gap parent credential (PARENT_API_TOKEN) until parent accounts exist; undefined = claims off. */
	parentApiToken?: string
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Constant-time, and hashed first so the comparison leaks nothing about the token's length either. */
export function isParent(deps: Pick<PairingDeps, 'parentApiToken'>, bearer: string | null): boolean {
	if (!deps.parentApiToken) throw new GatewayError('FORBIDDEN', 'pairing claims are disabled: PARENT_API_TOKEN is not set')
	return bearer !== null && timingSafeEqual(digest(bearer), digest(deps.parentApiToken))
}

/** A toy asks to be paired: it is registered if new, and gets a fresh code for ten minutes. */
export async function startPairing(deps: PairingDeps, deviceId: string): Promise<{ code: string; expires_in: number }> {
	const device = await deps.devices.upsertSeen(deviceId)
	if (device.revokedAt) throw new GatewayError('FORBIDDEN', 'this toy has been revoked')
	const issued = await deps.pairing.issue(deviceId, PAIRING_CODE_TTL_SECONDS, false)
	return { code: issued.code, expires_in: PAIRING_CODE_TTL_SECONDS }
}

export async function claimPairing(deps: PairingDeps, body: ClaimRequest, ip: string): Promise<ClaimedBody> {
	if (!(await deps.claimLimiter.hit(ip))) {
		throw new GatewayError('RATE_LIMITED', 'too many pairing attempts from this address; wait ten minutes')
	}
	const claimant = await stopGapClaimant(deps, body.child_id)
	const outcome =
		'code' in body
			? await deps.pairing.claimByCode(body.code, claimant)
			: await deps.pairing.claimByDevice(body.device_id, body.oob_code, claimant)
	if (outcome.kind !== 'paired') throw refusal(outcome)
	return { device_id: outcome.deviceId, child_id: body.child_id, paired: true }
}

// ! PARENT_API_TOKEN names no family: it may bind a toy to a child of any family, in that child's
// own family. Parent accounts replace this with the signed-in parent's family, and the store side
// (store/pairing.ts) already refuses a child outside the claimant's family.
async function stopGapClaimant(deps: Pick<PairingDeps, 'children'>, childId: string): Promise<Claimant> {
	const child = await deps.children.get(childId)
	if (!child?.familyId) throw refusal({ kind: 'no_child' })
	return { familyId: child.familyId, childId: child.id }
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
			return new GatewayError('NOT_FOUND', "no child profile with that child_id in the parent's family")
	}
}
