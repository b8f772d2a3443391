import { createHmac, randomBytes } from 'node:crypto'
import { TEST_SECRET } from './gateway-process'

// Builds seed-json connection URLs with real tokens (PROTOCOL.md §1), made the way a toy makes them.

export function v2Token(deviceId: string, secret = TEST_SECRET, ts = Math.floor(Date.now() / 1000)): string {
	const nonce = randomBytes(16).toString('hex')
	const deviceKey = createHmac('sha256', secret).update(`teddy-device-key|${deviceId}`).digest()
	const sig = createHmac('sha256', deviceKey).update(`v2|${deviceId}|${ts}|${nonce}`).digest('hex')
	return `v2.${ts}.${nonce}.${sig}`
}

export function legacyToken(deviceId: string, secret = TEST_SECRET): string {
	return createHmac('sha256', secret).update(deviceId).digest('hex')
}

export function seedUrl(
	wsBase: string,
	q: { device_id: string; token?: string; child_id?: string; child_name?: string; child_age?: string | number },
	path = '/api/v1/esp32/private/chat',
): string {
	const params = new URLSearchParams({
		device_id: q.device_id,
		token: q.token ?? v2Token(q.device_id),
		child_id: q.child_id ?? `child-${q.device_id}`,
		child_name: q.child_name ?? 'Mia',
		child_age: String(q.child_age ?? 7),
	})
	return `${wsBase}${path}?${params}`
}
