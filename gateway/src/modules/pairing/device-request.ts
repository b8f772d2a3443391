import { type AuthKind, type DeviceAuthenticator, isValidDeviceId } from '../../auth/device-auth'
import { GatewayError } from '../../errors'

// How a toy identifies itself on REST: `Device-Id` header, and `Authorization: Bearer <token>` (a v2
// or legacy token, or a device JWT) — the same headers its WebSocket upgrade carries (PROTOCOL.md §4).

export type Headers = Record<string, string | undefined>

/** The `Device-Id` header, checked like device-auth checks it; 400 when missing or malformed. */
export function deviceIdOf(headers: Headers): string {
	const deviceId = headers['device-id']?.trim()
	if (!deviceId) throw new GatewayError('BAD_REQUEST', 'the Device-Id header is required')
	if (!isValidDeviceId(deviceId)) {
		throw new GatewayError('BAD_REQUEST', 'Device-Id must be 1-64 characters of letters, digits, ":", "_", "." or "-"')
	}
	return deviceId
}

/**
 * The `Client-Id` header (the UUID xiaozhi firmware keeps in flash); null when absent, 400 when it
 * is not 8-64 characters of letters, digits, ".", "_", ":" or "-".
 */
export function clientIdOf(headers: Headers): string | null {
	const clientId = headers['client-id']?.trim()
	if (!clientId) return null
	if (!/^[A-Za-z0-9._:-]{8,64}$/.test(clientId)) {
		throw new GatewayError('BAD_REQUEST', 'Client-Id must be 8-64 characters of letters, digits, ".", "_", ":" or "-"')
	}
	return clientId
}

export function bearerOf(headers: Headers): string | null {
	const value = headers.authorization?.trim()
	if (!value) return null
	const m = /^Bearer\s+(\S+)$/i.exec(value)
	return m ? m[1]! : null
}

/** A device-authenticated request: 400 for a bad Device-Id, 401 for a missing or bad token. */
export async function authenticateDevice(auth: DeviceAuthenticator, headers: Headers): Promise<{ deviceId: string; kind: AuthKind }> {
	const deviceId = deviceIdOf(headers)
	const result = await auth.authenticate(deviceId, bearerOf(headers))
	if (!result.ok) throw new GatewayError('UNAUTHORIZED', result.message)
	return { deviceId, kind: result.kind }
}
