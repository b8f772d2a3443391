import { createHmac, timingSafeEqual } from 'node:crypto'
import { GatewayError } from '../../errors'
import type { DeviceBindingRepository, PairingCode } from '../../store'
import type { ActivateRequest } from './model'

// The xiaozhi activation answer: hex(HMAC_SHA256(key, challenge)) computed by the toy's eFuse
// HMAC_KEY0. Stock firmware posts it flat, py-xiaozhi wraps it as {"Payload": {...}} (with
// Activation-Version: 2); both are read the same way (docs/security.md):
//
// - the key is known when an operator provisioned one for the toy (scripts/device.ts), or when the
//   toy once proved the device key of PROTOCOL.md §1 (our factory burns it as HMAC_KEY0): then a
//   wrong HMAC, or a right one for a challenge the toy does not hold now, is 401;
// - a right HMAC with the device key proves it, and pins that key for the toy;
// - otherwise the key is unknown (a vendor's, py-xiaozhi's own): the answer is neither proof nor a
//   refusal. The toy is answered as if it had sent none, so it is not stuck retrying every 10 s.

export interface ActivationAnswer {
	challenge: string
	hmac: string
}

export type HmacVerdict = 'verified' | 'unverified'

const HEX64 = /^[0-9a-fA-F]{64}$/
const mismatch = () => new GatewayError('UNAUTHORIZED', 'activation HMAC does not match')

/**
 * The HMAC answer in either body form, or null when there is none: no body, `{}` (boards without
 * a serial number), or an empty `hmac` (a chip without the HMAC peripheral sends the fields anyway).
 */
export function activationAnswer(body: ActivateRequest | undefined): ActivationAnswer | null {
	const payload = body?.Payload
	const a = payload && typeof payload === 'object' ? payload : body
	if (!a || a.hmac === undefined || a.hmac === '') return null
	if (a.algorithm !== 'hmac-sha256' || typeof a.challenge !== 'string' || a.challenge === '' || typeof a.hmac !== 'string') {
		throw new GatewayError('BAD_REQUEST', 'activation needs algorithm "hmac-sha256", challenge and hmac')
	}
	return { challenge: a.challenge, hmac: a.hmac }
}

/** PROTOCOL.md §1: the per-toy key derived from the fleet secret. */
export function teddyDeviceKey(secret: string, deviceId: string): Buffer {
	return createHmac('sha256', secret).update(`teddy-device-key|${deviceId}`).digest()
}

export async function checkActivationHmac(
	deps: { bindings: DeviceBindingRepository; secret: string },
	deviceId: string,
	answer: ActivationAnswer,
	live: PairingCode | null,
): Promise<HmacVerdict> {
	const binding = await deps.bindings.get(deviceId)
	const provisioned = binding?.hasProvisionedKey ? await deps.bindings.provisionedKey(deviceId) : null
	const keyKnown = provisioned !== null || Boolean(binding?.deviceKeyProvenAt)
	// a malformed HMAC cannot be right under any key
	if (!HEX64.test(answer.hmac)) throw mismatch()
	const expected = createHmac('sha256', provisioned ?? teddyDeviceKey(deps.secret, deviceId)).update(answer.challenge).digest()
	if (!timingSafeEqual(expected, Buffer.from(answer.hmac, 'hex'))) {
		if (keyKnown) throw mismatch()
		return 'unverified'
	}
	// A captured answer must not be replayable once the toy has been given another challenge.
	if (!live || live.challenge !== answer.challenge) throw new GatewayError('UNAUTHORIZED', 'that challenge was not issued to this toy')
	if (!provisioned) await deps.bindings.markDeviceKeyProven(deviceId)
	return 'verified'
}
