import { type Static, t } from 'elysia'

// The xiaozhi-esp32 check-in (its ota.cc): the toy POSTs its system info and reads back the server
// time, a firmware offer, where to open its WebSocket with which token, and an activation code
// while it is unpaired. Unknown fields are accepted and ignored: firmware versions add them freely.

const Loose = { additionalProperties: true }

export const CheckInBody = t.Optional(
	t.Object(
		{
			version: t.Optional(t.Unknown()),
			application: t.Optional(t.Object({ version: t.Optional(t.String()), name: t.Optional(t.String()) }, Loose)),
			board: t.Optional(t.Object({ type: t.Optional(t.String()), name: t.Optional(t.String()) }, Loose)),
			mac_address: t.Optional(t.String()),
			uuid: t.Optional(t.String()),
		},
		Loose,
	),
)

export const Activation = t.Object({
	code: t.String({ description: 'six digits the toy speaks so a parent can claim it (POST /api/v1/pair/claim)' }),
	message: t.String({ description: 'what the toy shows or says' }),
	challenge: t.String({ description: 'random; the toy may answer it with HMAC(device_key, challenge) at /xiaozhi/ota/activate' }),
	timeout_ms: t.Integer(),
})

export const CheckInReply = t.Object({
	server_time: t.Object({
		timestamp: t.Number({ description: 'unix time in milliseconds' }),
		timezone_offset: t.Integer({ description: 'minutes east of UTC the toy adds to show local time' }),
	}),
	firmware: t.Object({
		version: t.String(),
		url: t.String({ description: 'empty: no update offered (xiaozhi firmware upgrades only when a URL is given)' }),
	}),
	websocket: t.Object({
		url: t.String(),
		token: t.String({ description: 'device JWT for `Authorization: Bearer`' }),
		version: t.Integer({ description: 'binary protocol version to speak' }),
	}),
	activation: t.Optional(Activation),
})

const ActivationAnswer = {
	algorithm: t.Optional(t.String({ description: '"hmac-sha256"' })),
	serial_number: t.Optional(t.String({ description: 'the eFuse serial number (also sent as the Serial-Number header)' })),
	challenge: t.Optional(t.String({ description: 'the challenge from the check-in reply' })),
	hmac: t.Optional(t.String({ description: 'hex(HMAC_SHA256(key, challenge)); empty when the chip cannot compute it' })),
}

// Stock firmware posts `{}` (no serial number) or the answer flat; py-xiaozhi wraps it in `Payload`.
export const ActivateBody = t.Optional(
	t.Object({ ...ActivationAnswer, Payload: t.Optional(t.Object(ActivationAnswer, Loose)) }, Loose),
)

export const ActivateReply = t.Object({
	status: t.Union([t.Literal('activated'), t.Literal('waiting')]),
	paired: t.Boolean(),
	message: t.String(),
})

export const DeviceToken = t.Object({
	token: t.String(),
	token_type: t.Literal('Bearer'),
	expires_in: t.Integer({ description: 'seconds' }),
})

export const ErrorBody = t.Object({ code: t.String(), message: t.String() })

export type CheckIn = Static<typeof CheckInBody>
export type CheckInReplyBody = Static<typeof CheckInReply>
export type ActivateRequest = Static<typeof ActivateBody>
export type ActivateReplyBody = Static<typeof ActivateReply>
export type DeviceTokenBody = Static<typeof DeviceToken>
