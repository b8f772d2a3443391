import { type Static, t } from 'elysia'

const Code = t.String({ pattern: '^[0-9]{6}$', description: 'the six digits the toy spoke', examples: ['042917'] })
const ChildId = t.String({
	pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
	description: 'id of the child profile the toy is bound to',
})

export const PairStarted = t.Object({
	code: t.String({ description: 'six digits for the toy to speak aloud' }),
	expires_in: t.Integer({ description: 'seconds the code stays valid' }),
})

const DeviceId = t.String({ pattern: '^[A-Za-z0-9:_.-]{1,64}$', examples: ['Teddy-ESP32-001'] })

export const ParentClaimByCode = t.Object({ code: Code, child_id: ChildId }, { title: 'ParentClaimByCode', description: 'a signed-in parent, with the code the toy spoke' })
export const ParentClaimByDevice = t.Object(
	{
		device_id: DeviceId,
		oob_code: t.String({ ...Code, description: 'the toy’s code, given out of band (spoken, printed or shown)' }),
		child_id: ChildId,
	},
	{ title: 'ParentClaimByDevice', description: 'a signed-in parent, with the toy’s id and its current code' },
)

export const ParentClaimByBox = t.Object(
	{
		device_id: DeviceId,
		box_code: t.String({
			pattern: '^[0-9A-Za-z][0-9A-Za-z -]{14,22}[0-9A-Za-z]$',
			description: 'the 16-character code printed on the toy’s box (dashes, spaces and case are ignored)',
			examples: ['7Q2M-KX4D-9RTB-H3VC'],
		}),
		child_id: ChildId,
	},
	{ title: 'ParentClaimByBox', description: 'a signed-in parent, with the toy’s id and the code on its box (a toy that was never switched on)' },
)

// The seed firmware's own claim at boot (issue 15): no session, proved by the device key.
export const DeviceClaim = t.Object(
	{
		device_id: DeviceId,
		oob_secret: t.String({
			pattern: '^[0-9A-F]{64}$',
			description: 'upper-case hex SHA256(hex(SHA256(device_id + ":" + salt)) + salt); `salt` from GET /api/v1/esp32/config `claim.salt`',
		}),
		nonce: t.String({ pattern: '^[0-9a-f]{16,64}$', description: 'fresh random hex; each is accepted once' }),
		timestamp: t.Integer({ description: 'unix seconds, within TOKEN_WINDOW_SECONDS of the server' }),
		hmac: t.String({
			pattern: '^[0-9a-fA-F]{64}$',
			description: 'hex HMAC_SHA256(key=device_key, msg="claim|" + device_id + "|" + timestamp + "|" + nonce + "|" + oob_secret), device_key as in PROTOCOL.md §1',
		}),
	},
	{ title: 'DeviceClaim', description: 'a toy (seed firmware) claiming its device JWT; no session' },
)

export const ClaimBody = t.Union([ParentClaimByCode, ParentClaimByDevice, ParentClaimByBox, DeviceClaim])

export const DeviceClaimed = t.Object({
	device_id: t.String(),
	token: t.String({ description: 'device JWT for `Authorization: Bearer` and the WebSocket `token`' }),
	token_type: t.Literal('Bearer'),
	expires_in: t.Integer({ description: 'seconds' }),
	paired: t.Boolean({ description: 'whether a parent has bound the toy to a child yet' }),
})

export const Claimed = t.Object({
	device_id: t.String(),
	child_id: t.String(),
	paired: t.Literal(true),
})

export const ErrorBody = t.Object({ code: t.String(), message: t.String() })

export type ClaimRequest = Static<typeof ParentClaimByCode> | Static<typeof ParentClaimByDevice> | Static<typeof ParentClaimByBox>
export type DeviceClaimRequest = Static<typeof DeviceClaim>
export type DeviceClaimedBody = Static<typeof DeviceClaimed>
export type ClaimedBody = Static<typeof Claimed>
