import { t } from 'elysia'
import { VERSION_PATTERN } from '../firmware/versions'

const Loose = { additionalProperties: true }
const Value = t.Union([t.String(), t.Number(), t.Boolean()])

export const ConfigQuery = t.Object({
	model: t.Optional(t.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'board model: its operator override applies' })),
	version: t.Optional(t.String({ pattern: VERSION_PATTERN, description: 'the firmware version the toy runs; recorded for an authenticated toy (rollback detection)' })),
	protocol: t.Optional(t.Union([t.Literal('seed-json'), t.Literal('binary')], { description: 'which WebSocket to name (default seed-json, or what the model override says)' })),
})

export const DeviceConfig = t.Object(
	{
		websocket: t.Object(
			{
				url: t.String({ description: 'where to open the WebSocket' }),
				path: t.String(),
				protocol: t.Union([t.Literal('seed-json'), t.Literal('binary')]),
			},
			Loose,
		),
		audio: t.Object({}, { ...Loose, description: 'input (uplink) and output (downlink) audio parameters' }),
		features: t.Object({}, Loose),
		ntp_servers: t.Array(t.String()),
		limits: t.Object({}, Loose),
		claim: t.Object({ path: t.String(), salt: t.String({ description: 'salt of the out-of-band claim secret' }) }, Loose),
		firmware: t.Object({ path: t.String() }, Loose),
		server_time: t.Integer({ description: 'unix time in milliseconds; only in a 200 (a 304 carries the time in its Date header)' }),
	},
	Loose,
)

// What an operator may change, per board model or per family. Objects merge over the defaults key by key.
export const OverrideSettings = t.Object(
	{
		websocket: t.Optional(t.Object({ protocol: t.Optional(t.Union([t.Literal('seed-json'), t.Literal('binary')])) }, { additionalProperties: false })),
		audio: t.Optional(t.Object({ input: t.Optional(t.Record(t.String(), Value)), output: t.Optional(t.Record(t.String(), Value)) }, { additionalProperties: false })),
		features: t.Optional(t.Record(t.String({ pattern: '^[a-z0-9_]{1,40}$' }), Value)),
		limits: t.Optional(t.Record(t.String({ pattern: '^[a-z0-9_]{1,40}$' }), t.Number())),
		ntp_servers: t.Optional(t.Array(t.String({ pattern: '^[A-Za-z0-9.-]{1,253}$' }), { minItems: 1, maxItems: 4 })),
	},
	{ additionalProperties: false, minProperties: 1 },
)

export const OverrideParams = t.Object({
	scope: t.Union([t.Literal('model'), t.Literal('family')]),
	key: t.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'the board model, or the family id' }),
})

export const Override = t.Object({
	scope: t.String(),
	key: t.String(),
	settings: t.Object({}, Loose),
	updated_at: t.String(),
})

export const Overrides = t.Object({ overrides: t.Array(Override) })
