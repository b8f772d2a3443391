import { TypeCompiler } from '@sinclair/typebox/compiler'
import { GatewayError } from '../errors'
import type { DeviceAuthenticator } from '../auth/device-auth'
import { SeedQuery } from './seed-json-messages'

// The seed-json upgrade query (PROTOCOL.md §3): who the device is, who the child is, and proof.

const checkQuery = TypeCompiler.Compile(SeedQuery)

export interface SeedHandshake {
	deviceId: string
	childExternalId: string
	childName: string
	childAge: number
}

export function readSeedQuery(url: URL): SeedHandshake {
	const q = url.searchParams
	const ageText = q.get('child_age')
	const age = ageText !== null && /^\d{1,3}$/.test(ageText) ? Number(ageText) : Number.NaN
	const query = {
		device_id: q.get('device_id') ?? '',
		token: q.get('token') ?? '',
		child_id: q.get('child_id') ?? '',
		child_name: q.get('child_name') ?? '',
		child_age: age,
	}
	if (!query.device_id || !query.token) throw new GatewayError('UNAUTHORIZED', 'device_id and token are required')
	if (ageText === null || !Number.isInteger(age) || age < 3 || age > 13) {
		throw new GatewayError('INVALID_AGE', 'child_age must be an integer from 3 to 13')
	}
	if (!checkQuery.Check(query)) {
		const e = checkQuery.Errors(query).First()
		throw new GatewayError('BAD_REQUEST', `query ${e?.path.slice(1) ?? ''}: ${e?.message ?? 'invalid'}`)
	}
	return { deviceId: query.device_id, childExternalId: query.child_id, childName: query.child_name, childAge: age }
}

export async function authenticateSeed(url: URL, auth: DeviceAuthenticator): Promise<SeedHandshake> {
	const handshake = readSeedQuery(url)
	const result = await auth.authenticate(handshake.deviceId, url.searchParams.get('token'))
	if (!result.ok) throw new GatewayError('UNAUTHORIZED', result.message)
	return handshake
}
