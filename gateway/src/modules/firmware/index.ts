import { Elysia, t } from 'elysia'
import { GatewayError } from '../../errors'
import type { FirmwareRelease, RolloutHealth } from '../../store/firmware'
import type { AccessGuard } from '../access'
import { ErrorBody, SIGNED_IN } from '../access/model'
import { authenticateDevice } from '../pairing/device-request'
import { ImageParams, ImageQuery, Manifest, ManifestQuery, PublishParams, PublishQuery, Release, ReleaseId, Releases, RolloutChange } from './model'
import { authorizeImage, changeRollout, type FirmwareDeps, imageResponse, imageUrl, offerFor, publicBase, publish } from './service'

// The firmware channel (PROTOCOL.md §2): a toy's manifest and image routes, and the operators'
// publishing and rollout routes.

export const releaseBody = (r: FirmwareRelease, health?: RolloutHealth) => ({
	id: r.id,
	model: r.model,
	version: r.version,
	size: r.size,
	sha256: r.sha256,
	signature: r.signature,
	key_id: r.keyId,
	rollout_percent: r.rolloutPercent,
	paused: r.paused,
	paused_reason: r.pausedReason,
	force: r.force,
	min_version: r.minVersion,
	created_at: r.createdAt.toISOString(),
	...(health ? { health: { took: health.took, rolled_back: health.rolledBack, silent: health.silent } } : {}),
})

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }

export type FirmwareModuleDeps = FirmwareDeps & { access: AccessGuard }

export function firmwareModule(deps: FirmwareModuleDeps) {
	return new Elysia({ name: 'Firmware', detail: { tags: ['firmware'] } })
		.use(deps.access)
		.get(
			'/api/v1/esp32/firmware',
			async ({ headers, query, request, status }) => {
				const { deviceId } = await authenticateDevice(deps.auth, headers)
				const device = await deps.devices.upsertSeen(deviceId)
				if (device.revokedAt) throw new GatewayError('FORBIDDEN', 'this toy has been revoked')
				const offer = await offerFor(deps, deviceId, query.model, query.version ?? '0.0.0')
				if (!offer) return status(204, undefined)
				const r = offer.release
				return { version: r.version, url: imageUrl(deps, publicBase(request), r, deviceId), size: r.size, sha256: r.sha256, signature: r.signature, force: offer.force }
			},
			{
				query: ManifestQuery,
				response: { 200: Manifest, 204: t.Void({ description: 'nothing to install' }), ...errors },
				detail: {
					summary: 'Firmware manifest for a toy',
					description:
						'Device-authenticated (`Device-Id`, `Authorization: Bearer` v2/legacy token or device JWT). `version` is the version the toy runs: it is recorded (rollback detection). `200` with the newest release for `model` that is newer than `version` and whose staged rollout includes this toy (or any newer release when the toy is below its `min_version`, then `force`); `204` when there is nothing to install.',
				},
			},
		)
		.get(
			'/api/v1/esp32/firmware/:model/:file',
			async ({ params, query, headers, request }) => {
				const version = params.file.slice(0, -'.bin'.length)
				await authorizeImage(deps, params.model, version, query, headers)
				return imageResponse(deps, params.model, version, request)
			},
			{
				params: ImageParams,
				query: ImageQuery,
				detail: {
					summary: 'Firmware image bytes',
					description:
						'The signed URL from the manifest, or the toy’s own `Device-Id` and device token. Single `Range` requests (`bytes=a-b`, `a-`, `-n`) are answered `206` with `Content-Range`, a range past the end `416`; `ETag` is the quoted SHA-256 (`If-None-Match` → `304`, `If-Range` honoured); `Cache-Control: public, max-age=31536000, immutable`.',
					responses: {
						200: { description: 'the whole image (application/octet-stream)' },
						206: { description: 'one range of the image' },
						304: { description: 'unchanged (If-None-Match)' },
						401: { description: 'no valid signed URL or device token' },
						404: { description: 'no such release' },
						416: { description: 'the range starts past the end; `Content-Range: bytes */size`' },
					},
				},
			},
		)
		.put(
			'/api/v1/operator/firmware/:model/:version',
			async ({ operator, params, query, headers, request, status }) => {
				const signature = headers['x-firmware-signature']?.trim()
				if (!signature || !/^[A-Za-z0-9+/]{86}==$/.test(signature)) {
					throw new GatewayError('BAD_REQUEST', 'send the image’s signature (base64 Ed25519, 64 bytes) in the X-Firmware-Signature header')
				}
				const image = new Uint8Array(await request.arrayBuffer())
				const release = await publish(
					deps,
					operator,
					{ model: params.model, version: params.version, signature, rolloutPercent: query.rollout_percent ?? 0, force: query.force ?? false, minVersion: query.min_version ?? null },
					image,
				)
				return status(201, releaseBody(release))
			},
			{
				operator: true,
				parse: 'none',
				params: PublishParams,
				query: PublishQuery,
				response: { 201: Release, ...errors, 409: ErrorBody, 413: ErrorBody },
				detail: {
					summary: 'Publish a signed firmware image',
					description:
						'Operators only. The body is the raw image (`application/octet-stream`, at most FIRMWARE_MAX_BYTES); `X-Firmware-Signature` is base64 Ed25519 over the image’s SHA-256 digest, made outside the gateway with `scripts/sign-firmware.ts`. It must verify under one of FIRMWARE_PUBLIC_KEYS, else `400 SIGNATURE_INVALID`. A published version is immutable (`409`). The rollout starts at `rollout_percent` (default 0: offered to nobody until raised).',
					requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
					...SIGNED_IN,
				},
			},
		)
		.get(
			'/api/v1/operator/firmware',
			async () => {
				const releases = await deps.releases.list()
				return { releases: await Promise.all(releases.map(async (r) => releaseBody(r, await deps.releases.health(r.id, deps.guard.silentHours)))) }
			},
			{ operator: true, response: { 200: Releases, ...errors }, detail: { summary: 'Firmware releases, their rollout and its health', ...SIGNED_IN } },
		)
		.patch(
			'/api/v1/operator/firmware/:id',
			async ({ operator, params, body }) =>
				releaseBody(
					await changeRollout(deps, operator, params.id, {
						rolloutPercent: body.rollout_percent,
						paused: body.paused,
						force: body.force,
						minVersion: body.min_version,
					}),
				),
			{
				operator: true,
				params: ReleaseId,
				body: RolloutChange,
				response: { 200: Release, ...errors },
				detail: {
					summary: 'Change a rollout: percentage, pause/resume, force, minimum version',
					description: 'Operators only; audited. Resuming (`paused:false`) clears the reason it was paused, also an automatic pause.',
					...SIGNED_IN,
				},
			},
		)
}
