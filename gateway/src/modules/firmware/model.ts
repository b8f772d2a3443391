import { type Static, t } from 'elysia'
import { VERSION_PATTERN } from './versions'

export const MODEL_PATTERN = '^[A-Za-z0-9._-]{1,64}$'
const Model = t.String({ pattern: MODEL_PATTERN, description: 'board model, e.g. `teddy-s3`', examples: ['teddy-s3'] })
const Version = t.String({ pattern: VERSION_PATTERN, description: 'dotted version, e.g. `1.4.0`', examples: ['1.4.0'] })

export const ManifestQuery = t.Object({
	model: Model,
	version: t.Optional(t.String({ pattern: VERSION_PATTERN, description: 'the version the toy runs (reported back for rollback detection)' })),
})

export const Manifest = t.Object({
	version: t.String(),
	url: t.String({ description: 'absolute image URL, signed for this toy (valid a day); Range requests welcome' }),
	size: t.Integer({ description: 'bytes' }),
	sha256: t.String({ description: 'hex SHA-256 of the image' }),
	signature: t.String({ description: 'base64 Ed25519 signature over the 32 raw bytes of the SHA-256 digest' }),
	force: t.Boolean({ description: 'install at once rather than waiting for a quiet moment' }),
})

export const ImageParams = t.Object({ model: Model, file: t.String({ pattern: '^v?[0-9][A-Za-z0-9.+-]{0,60}\\.bin$', description: '`<version>.bin`' }) })

export const ImageQuery = t.Object({
	device_id: t.Optional(t.String({ maxLength: 64 })),
	expires: t.Optional(t.String({ maxLength: 12 })),
	sig: t.Optional(t.String({ maxLength: 64 })),
})

export const PublishParams = t.Object({ model: Model, version: Version })

export const PublishQuery = t.Object({
	rollout_percent: t.Optional(t.Numeric({ minimum: 0, maximum: 100, description: 'share of the model’s toys offered it (default 0)' })),
	force: t.Optional(t.BooleanString()),
	min_version: t.Optional(Version),
})

export const Release = t.Object({
	id: t.String(),
	model: t.String(),
	version: t.String(),
	size: t.Integer(),
	sha256: t.String(),
	signature: t.String(),
	key_id: t.String({ description: 'which configured release key verified the signature' }),
	rollout_percent: t.Number(),
	paused: t.Boolean(),
	paused_reason: t.Union([t.String(), t.Null()], { description: 'why it is paused: by an operator, or automatically (rollbacks, toys gone quiet)' }),
	force: t.Boolean(),
	min_version: t.Union([t.String(), t.Null()]),
	created_at: t.String(),
	health: t.Optional(
		t.Object({
			took: t.Integer({ description: 'toys that reported running it' }),
			rolled_back: t.Integer({ description: 'of those, toys that came back on an older version' }),
			silent: t.Integer({ description: 'of those, toys that stopped checking in' }),
		}),
	),
})

export const Releases = t.Object({ releases: t.Array(Release) })

export const RolloutChange = t.Object(
	{
		rollout_percent: t.Optional(t.Number({ minimum: 0, maximum: 100 })),
		paused: t.Optional(t.Boolean()),
		force: t.Optional(t.Boolean()),
		min_version: t.Optional(t.Union([Version, t.Null()])),
	},
	{ additionalProperties: false, minProperties: 1 },
)

export const ReleaseId = t.Object({ id: t.String({ format: 'uuid' }) })

export type ReleaseBody = Static<typeof Release>
export type RolloutChangeBody = Static<typeof RolloutChange>
