import type { DeviceAuthenticator } from '../auth/device-auth'
import { GatewayError } from '../errors'
import type { ProtocolVersion } from './binary-frame'

// Upgrade of a xiaozhi-compatible toy (PROTOCOL.md §4): headers, or query parameters for tools
// that cannot set headers.

export interface XiaozhiHandshake {
	deviceId: string
	clientId: string
	version: ProtocolVersion
}

function bearer(value: string | null): string | null {
	if (!value) return null
	const m = /^Bearer\s+(\S+)$/i.exec(value.trim())
	return m ? m[1] : value.trim()
}

export async function authenticateXiaozhi(req: Request, url: URL, auth: DeviceAuthenticator): Promise<XiaozhiHandshake> {
	const q = url.searchParams
	const h = req.headers
	// ? The ecosystem's browser test page spells the query names like the headers (`device-id`,
	//   `client-id`, `authorization=Bearer <token>`); PROTOCOL.md §4 names the underscored ones.
	const deviceId = h.get('device-id') ?? q.get('device_id') ?? q.get('device-id')
	const clientId = h.get('client-id') ?? q.get('client_id') ?? q.get('client-id') ?? ''
	const token = bearer(h.get('authorization')) ?? q.get('token') ?? bearer(q.get('authorization'))
	const versionText = h.get('protocol-version') ?? q.get('protocol_version') ?? q.get('protocol-version') ?? '1'
	if (!/^[123]$/.test(versionText)) {
		throw new GatewayError('BAD_REQUEST', `Protocol-Version must be 1, 2 or 3 (got "${versionText.slice(0, 8)}")`)
	}
	const result = await auth.authenticate(deviceId, token)
	if (!result.ok) throw new GatewayError('UNAUTHORIZED', result.message)
	return { deviceId: deviceId as string, clientId: clientId.slice(0, 64), version: Number(versionText) as ProtocolVersion }
}
