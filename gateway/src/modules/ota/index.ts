import { Elysia } from 'elysia'
import { bearerOf, clientIdOf, deviceIdOf, type Headers } from '../pairing/device-request'
import { ActivateBody, ActivateReply, CheckInBody, CheckInReply, DeviceToken, ErrorBody } from './model'
import { activate, checkIn, exchangeToken, type OtaDeps, websocketUrl } from './service'

// xiaozhi-compatible boot check-in and activation (PROTOCOL.md §2), and the v2-token → JWT exchange.

const CHECK_IN_DOC = {
	summary: 'xiaozhi boot check-in',
	description:
		'Headers `Device-Id` and `Client-Id` (the UUID the toy keeps in flash). The first check-in binds the Client-Id to the toy; later ones must present it (or prove the device key with a v2 token), else `403` and the parent is alerted. Replies with server time, firmware offer, the WebSocket URL with a device JWT (each check-in rotates it: earlier ones stop working), and `activation` (a pairing code and challenge) while the toy is unpaired: until it is paired with REQUIRE_PAIRING, else until the toy has activated for its current code. With OTA_REQUIRE_DEVICE_AUTH an `Authorization: Bearer` device token is required.',
}

const deviceRequest = (deps: OtaDeps, headers: Headers, request: Request) => ({
	deviceId: deviceIdOf(headers),
	clientId: clientIdOf(headers),
	token: bearerOf(headers),
	ip: deps.clientIp(request),
})

export function otaModule(deps: OtaDeps) {
	const handleCheckIn = ({ headers, body, request }: { headers: Headers; body: unknown; request: Request }) =>
		checkIn(deps, {
			...deviceRequest(deps, headers, request),
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
				async ({ headers, body, status, request }) => {
					const result = await activate(deps, { ...deviceRequest(deps, headers, request), body: body ?? undefined })
					return result.status === 202 ? status(202, result.body) : result.body
				},
				{
					body: ActivateBody,
					response: { 200: ActivateReply, 202: ActivateReply, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
					detail: {
						summary: 'xiaozhi activation poll',
						description:
							'Headers as the check-in; a toy that cannot prove it is the toy gets `403`, the same as an unknown one. `202` while the toy is unpaired and REQUIRE_PAIRING is on, else `200`. The answer `{algorithm:"hmac-sha256", serial_number, challenge, hmac}` (flat, or wrapped as `{"Payload": {...}}`) is checked where the toy\'s key is known (provisioned by an operator, or the device key once proven): `401` on mismatch. An HMAC under a key the gateway does not know is neither proof nor a refusal.',
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
