import { Elysia } from 'elysia'
import { bearerOf, deviceIdOf } from '../pairing/device-request'
import { ActivateBody, ActivateReply, CheckInBody, CheckInReply, DeviceToken, ErrorBody } from './model'
import { activate, checkIn, exchangeToken, type OtaDeps, websocketUrl } from './service'

// xiaozhi-compatible boot check-in and activation (PROTOCOL.md §2), and the v2-token → JWT exchange.

const CHECK_IN_DOC = {
	summary: 'xiaozhi boot check-in',
	description:
		'Headers `Device-Id` (and `Client-Id`). Replies with server time, firmware offer, the WebSocket URL with a device JWT, and `activation` (a pairing code and challenge) until the toy is paired. With OTA_REQUIRE_DEVICE_AUTH an `Authorization: Bearer` device token is required.',
}

export function otaModule(deps: OtaDeps) {
	const handleCheckIn = ({ headers, body, request }: { headers: Record<string, string | undefined>; body: unknown; request: Request }) =>
		checkIn(deps, {
			deviceId: deviceIdOf(headers),
			token: bearerOf(headers),
			body: body as Parameters<typeof checkIn>[1]['body'],
			wsUrl: websocketUrl(deps.publicWsUrl, request),
		})
	const replies = { 200: CheckInReply, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody }
	return (
		new Elysia({ name: 'Ota', detail: { tags: ['xiaozhi'] } })
			.post('/xiaozhi/ota/', handleCheckIn, { body: CheckInBody, response: replies, detail: CHECK_IN_DOC })
			// ? Some xiaozhi builds check in with GET when they have nothing to post.
			.get('/xiaozhi/ota/', handleCheckIn, { response: replies, detail: CHECK_IN_DOC })
			.post(
				'/xiaozhi/ota/activate',
				async ({ headers, body, status }) => {
					const result = await activate(deps, deviceIdOf(headers), body ?? undefined)
					return result.status === 202 ? status(202, result.body) : result.body
				},
				{
					body: ActivateBody,
					response: { 200: ActivateReply, 202: ActivateReply, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
					detail: {
						summary: 'xiaozhi activation poll',
						description:
							'`202` while the toy is unpaired and REQUIRE_PAIRING is on, else `200`. A body `{algorithm:"hmac-sha256", serial_number, challenge, hmac}` is checked: hmac = hex(HMAC_SHA256(device_key, challenge)); `401` on mismatch.',
					},
				},
			)
			.post('/api/v1/devices/token', ({ headers }) => exchangeToken(deps, deviceIdOf(headers), bearerOf(headers)), {
				response: { 200: DeviceToken, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
				detail: {
					summary: 'Exchange a v2 token for a device JWT',
					description: 'Headers `Device-Id` and `Authorization: Bearer <v2 token>`.',
				},
			})
	)
}
