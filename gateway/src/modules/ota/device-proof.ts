import type { AuthKind, DeviceAuthenticator } from '../../auth/device-auth'
import { GatewayError } from '../../errors'
import type { Logger } from '../../obs/logger'
import type { ParentAlerts } from '../../safety/parent-alerts'
import type { Device, DeviceBindingRepository, DeviceRepository } from '../../store'
import type { FamilyRepository } from '../../store/safety'

// Who is checking in (docs/security.md). Stock xiaozhi firmware sends no credential, only its
// Device-Id (the MAC, which anyone nearby can learn) and the Client-Id UUID it keeps in flash. The
// first check-in binds the Client-Id (trust on first use); a later one must present it, or prove
// the device key of PROTOCOL.md §1 with a v2 token (which binds the Client-Id it presents). Anyone
// else gets no token, no pairing code, and the toy's parent gets an alert.

export interface ProofDeps {
	auth: DeviceAuthenticator
	devices: DeviceRepository
	bindings: DeviceBindingRepository
	families: FamilyRepository
	alerts: ParentAlerts
	log: Logger
}

export interface Caller {
	deviceId: string
	/** The Client-Id header; null when absent. */
	clientId: string | null
	/** The Authorization bearer, already checked (bearerKind); null when none was sent. */
	bearer: AuthKind | null
	ip: string
}

// ! One answer for an unknown toy, an unbound one and a Client-Id that does not match: a stranger
// learns nothing about which toys exist or are paired.
const notRecognised = () =>
	new GatewayError(
		'FORBIDDEN',
		'this toy could not prove who it is (Device-Id and Client-Id as at its first check-in); if it was reset, an operator can reset its binding',
	)
const revoked = () => new GatewayError('FORBIDDEN', 'this toy has been revoked')

/** The Authorization bearer, checked: null when none was sent, 401 when it is not valid for this toy. */
export async function bearerKind(auth: DeviceAuthenticator, deviceId: string, token: string | null): Promise<AuthKind | null> {
	if (!token) return null
	const result = await auth.authenticate(deviceId, token)
	if (!result.ok) throw new GatewayError('UNAUTHORIZED', result.message)
	return result.kind
}

/** Check-in: registers a new toy and binds its Client-Id; refuses one that cannot prove it is the toy. */
export async function admitCheckIn(deps: ProofDeps, c: Caller): Promise<Device> {
	const state = await deps.bindings.check(c.deviceId, c.clientId)
	if (state === 'mismatch' && c.bearer !== 'v2') throw impostor(deps, c)
	const device = await deps.devices.upsertSeen(c.deviceId)
	if (device.revokedAt) throw revoked()
	if (state === 'unbound') {
		if (c.clientId) {
			if ((await deps.bindings.bindFirst(c.deviceId, c.clientId)) === 'mismatch') throw impostor(deps, c)
		} else if (!c.bearer) {
			throw new GatewayError('BAD_REQUEST', 'the Client-Id header is required')
		}
	} else if (state === 'mismatch' && c.clientId) {
		// a v2 token proves the device key: this is the toy, with a new Client-Id (its flash was wiped)
		await deps.bindings.rebind(c.deviceId, c.clientId)
		deps.log.info({ device: c.deviceId }, 'toy proved its device key with a new Client-Id; binding moved')
	}
	if (c.bearer === 'v2') await deps.bindings.markDeviceKeyProven(c.deviceId)
	return device
}

/** Activation: only a registered toy presenting its bound Client-Id (or a device token) is answered. */
export async function recogniseToy(deps: ProofDeps, c: Caller): Promise<Device> {
	const [state, device] = await Promise.all([deps.bindings.check(c.deviceId, c.clientId), deps.devices.get(c.deviceId)])
	if (!device) throw notRecognised()
	if (state === 'mismatch' && c.bearer !== 'v2') throw impostor(deps, c)
	if (state === 'unbound' && !c.bearer) throw notRecognised()
	if (device.revokedAt) throw revoked()
	return device
}

// Alerts the toy's parent (in the background: the refusal does not wait for, or depend on, it).
function impostor(deps: ProofDeps, c: Caller): GatewayError {
	deps.log.warn({ device: c.deviceId, ip: c.ip, bearer: c.bearer ?? undefined }, 'check-in as a bound toy with another Client-Id refused')
	void raiseAlert(deps, c.deviceId).catch((err) =>
		deps.log.error({ err: (err as Error).message, device: c.deviceId }, 'device security alert could not be stored'),
	)
	return notRecognised()
}

async function raiseAlert(deps: ProofDeps, deviceId: string): Promise<void> {
	const device = await deps.devices.get(deviceId)
	const childId = device?.pairedChildId ?? null
	const family = childId ? await deps.families.ofChild(childId) : null
	await deps.alerts.raiseDeviceSecurity({ deviceId, familyId: family?.id ?? null, childId }, family?.parentEmail ?? null)
}
