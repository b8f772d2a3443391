import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { DeviceAuthenticator } from '../../auth/device-auth'
import { GatewayError } from '../../errors'
import type { Logger } from '../../obs/logger'
import type { DeviceRepository } from '../../store'
import type { AuditRepository } from '../../store/audit'
import type { FirmwareDeviceState, FirmwareRelease, FirmwareRepository, RolloutPatch } from '../../store/firmware'
import type { FirmwareFiles } from '../../store/firmware-files'
import { audit } from '../access/audit'
import type { Principal } from '../access/service'
import { authenticateDevice, type Headers } from '../pairing/device-request'
import { parseRange } from './range'
import type { ReleaseKeys } from './release-keys'
import { inRollout } from './rollout'
import { compareVersions } from './versions'

// The firmware channel (issue 15): operators publish signed images per board model; toys ask for a
// manifest with the version they run, get the newest release whose staged rollout includes them,
// and download it in ranges. What toys report back pauses a rollout that makes them roll back.

export interface RolloutGuard {
	/** ROLLOUT_FAILURE_SHARE: pause when this share of the toys that took a release rolled back or went quiet */
	failureShare: number
	/** ROLLOUT_MIN_DEVICES */
	minDevices: number
	/** ROLLOUT_SILENT_HOURS */
	silentHours: number
}

export interface FirmwareDeps {
	releases: FirmwareRepository
	files: FirmwareFiles
	keys: ReleaseKeys
	devices: DeviceRepository
	auth: DeviceAuthenticator
	audit: AuditRepository
	/** HMAC key of the image URLs handed out in manifests and check-ins. */
	urlKey: Uint8Array
	maxBytes: number
	guard: RolloutGuard
	log: Logger
}

export interface Offer {
	release: FirmwareRelease
	force: boolean
}

export interface PublishRequest {
	model: string
	version: string
	signature: string
	rolloutPercent: number
	force: boolean
	minVersion: string | null
}

// A signed image URL stays good this long: a toy on flaky Wi-Fi may resume a download for a day.
const URL_TTL_SECONDS = 24 * 3600

export async function publish(deps: FirmwareDeps, who: Principal, req: PublishRequest, image: Uint8Array): Promise<FirmwareRelease> {
	if (image.length === 0) throw new GatewayError('BAD_REQUEST', 'the image is empty')
	if (image.length > deps.maxBytes) throw new GatewayError('PAYLOAD_TOO_LARGE', `firmware images are limited to ${deps.maxBytes} bytes`)
	if (deps.keys.size === 0) throw new GatewayError('FORBIDDEN', 'no release public key is configured (FIRMWARE_PUBLIC_KEYS): uploads are off')
	const signature = Buffer.from(req.signature, 'base64')
	const digest = createHash('sha256').update(image).digest()
	const keyId = deps.keys.verify(digest, signature)
	if (!keyId) {
		deps.log.warn({ model: req.model, version: req.version }, 'firmware upload refused: signature does not verify')
		throw new GatewayError('SIGNATURE_INVALID', 'the signature does not verify under any configured release key (Ed25519 over the SHA-256 of the image)')
	}
	if (await deps.releases.get(req.model, req.version)) throw new GatewayError('CONFLICT', `${req.model} ${req.version} is already published; releases are immutable`)
	const release = await deps.releases.create({
		model: req.model,
		version: req.version,
		size: image.length,
		sha256: digest.toString('hex'),
		signature: signature.toString('base64'),
		keyId,
		rolloutPercent: req.rolloutPercent,
		force: req.force,
		minVersion: req.minVersion,
		createdBy: who.parentId,
	})
	if (!release) throw new GatewayError('CONFLICT', `${req.model} ${req.version} is already published; releases are immutable`)
	try {
		await deps.files.write(req.model, req.version, image)
	} catch (err) {
		await deps.releases.update(release.id, { paused: true, pausedReason: 'the image could not be stored' })
		throw err
	}
	await audit(deps.audit, who, 'operator.firmware.publish', { targetId: release.id, reason: `${req.model} ${req.version}` })
	deps.log.info({ model: req.model, version: req.version, size: image.length, key: keyId }, 'firmware published')
	return release
}

export async function changeRollout(deps: FirmwareDeps, who: Principal, id: string, patch: RolloutPatch): Promise<FirmwareRelease> {
	if (!(await deps.releases.byId(id))) throw new GatewayError('NOT_FOUND', 'no such release')
	// ? Resuming clears the reason a rollout paused itself; pausing by hand says it was an operator.
	const p: RolloutPatch = { ...patch }
	if (patch.paused === false) p.pausedReason = null
	if (patch.paused === true && patch.pausedReason === undefined) p.pausedReason = 'paused by an operator'
	const updated = await deps.releases.update(id, p)
	if (!updated) throw new GatewayError('NOT_FOUND', 'no such release')
	await audit(deps.audit, who, 'operator.firmware.rollout', { targetId: id, reason: JSON.stringify(patch) })
	return updated
}

/** The release a toy should run next, or null; notes what it runs and checks the rollout's health. */
export async function offerFor(deps: FirmwareDeps, deviceId: string, model: string, running: string): Promise<Offer | null> {
	const releases = (await deps.releases.forModel(model)).filter((r) => compareVersions(r.version, running) > 0)
	releases.sort((a, b) => compareVersions(b.version, a.version))
	let offer: Offer | null = null
	for (const r of releases) {
		// ! A toy below the minimum version gets the release whatever the percentage or a pause: the
		// minimum is for versions that must not stay in the field.
		if (r.minVersion && compareVersions(running, r.minVersion) < 0) {
			offer = { release: r, force: true }
			break
		}
		if (!r.paused && inRollout(deviceId, r.id, r.rolloutPercent)) {
			offer = { release: r, force: r.force }
			break
		}
	}
	await track(deps, deviceId, model, running, offer?.release ?? null)
	return offer
}

/** A toy says which version it runs without asking for an offer (GET /api/v1/esp32/config). */
export function noteRunning(deps: FirmwareDeps, deviceId: string, model: string, running: string): Promise<void> {
	return track(deps, deviceId, model, running, null)
}

async function track(deps: FirmwareDeps, deviceId: string, model: string, running: string, offered: FirmwareRelease | null): Promise<void> {
	await deps.devices.noteFirmware(deviceId, running)
	const prev = await deps.releases.deviceState(deviceId)
	const newOffer = offered !== null && prev?.releaseId !== offered.id
	const s: FirmwareDeviceState = newOffer
		? { deviceId, model, releaseId: offered.id, offeredVersion: offered.version, reportedVersion: running, tookAt: null, rolledBackAt: null }
		: { ...(prev ?? { deviceId, releaseId: null, offeredVersion: null, tookAt: null, rolledBackAt: null }), model, reportedVersion: running }
	const now = new Date()
	if (s.offeredVersion && !s.tookAt && compareVersions(running, s.offeredVersion) >= 0) s.tookAt = now
	// ? It ran the new version and now reports an older one: the bootloader rolled it back.
	if (s.offeredVersion && s.tookAt && !s.rolledBackAt && compareVersions(running, s.offeredVersion) < 0) s.rolledBackAt = now
	await deps.releases.saveDeviceState(s, newOffer)
	if (s.releaseId && s.tookAt) await checkHealth(deps, s.releaseId)
}

async function checkHealth(deps: FirmwareDeps, releaseId: string): Promise<void> {
	const { guard } = deps
	const h = await deps.releases.health(releaseId, guard.silentHours)
	if (h.took < guard.minDevices) return
	const failed = h.rolledBack + h.silent
	if (failed / h.took < guard.failureShare) return
	const reason = `paused automatically: ${h.rolledBack} of ${h.took} toys that took it came back on an older version and ${h.silent} stopped checking in (threshold ${Math.round(guard.failureShare * 100)} %)`
	if (await deps.releases.pauseIfRunning(releaseId, reason)) deps.log.warn({ release: releaseId, ...h }, 'firmware rollout paused: toys rolled back or went quiet')
}

// --- image URLs and bytes ---

const urlSig = (key: Uint8Array, model: string, version: string, deviceId: string, expires: number) =>
	createHmac('sha256', key).update(`${model}|${version}|${deviceId}|${expires}`).digest('hex').slice(0, 32)

/** Where the toy downloads the image: signed for it, so ranged requests need no fresh token each. */
export function imageUrl(deps: Pick<FirmwareDeps, 'urlKey'>, base: string, release: FirmwareRelease, deviceId: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
	const expires = nowSeconds + URL_TTL_SECONDS
	const q = new URLSearchParams({ device_id: deviceId, expires: String(expires), sig: urlSig(deps.urlKey, release.model, release.version, deviceId, expires) })
	return `${base}/api/v1/esp32/firmware/${encodeURIComponent(release.model)}/${encodeURIComponent(release.version)}.bin?${q}`
}

export interface ImageQuery {
	device_id?: string
	expires?: string
	sig?: string
}

/** A signed URL, or a device's own headers (Device-Id and a device token), may fetch an image. */
export async function authorizeImage(deps: FirmwareDeps, model: string, version: string, q: ImageQuery, headers: Headers): Promise<string> {
	if (q.sig !== undefined) {
		const expires = Number(q.expires)
		const deviceId = q.device_id ?? ''
		const expected = Buffer.from(urlSig(deps.urlKey, model, version, deviceId, expires))
		const given = Buffer.from(q.sig)
		if (!Number.isInteger(expires) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
			throw new GatewayError('UNAUTHORIZED', 'the image URL signature is not valid; ask for the manifest again')
		}
		if (expires < Date.now() / 1000) throw new GatewayError('UNAUTHORIZED', 'the image URL has expired; ask for the manifest again')
		return deviceId
	}
	return (await authenticateDevice(deps.auth, headers)).deviceId
}

const IMMUTABLE = 'public, max-age=31536000, immutable'

/** The image bytes: whole (200) or one range (206), 416 past the end, 304 for the same ETag. */
export async function imageResponse(deps: FirmwareDeps, model: string, version: string, request: Request): Promise<Response> {
	const release = await deps.releases.get(model, version)
	const file = deps.files.file(model, version)
	if (!release || !(await file.exists())) throw new GatewayError('NOT_FOUND', `no firmware ${version} for ${model}`)
	const etag = `"${release.sha256}"`
	const common: Record<string, string> = {
		'accept-ranges': 'bytes',
		etag,
		'cache-control': IMMUTABLE,
		'content-type': 'application/octet-stream',
	}
	const inm = request.headers.get('if-none-match')
	if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return new Response(null, { status: 304, headers: common })
	// ? If-Range with another validator: the image changed under the toy, so it gets the whole of it.
	const ifRange = request.headers.get('if-range')
	const range = ifRange && ifRange.trim() !== etag ? ({ kind: 'whole' } as const) : parseRange(request.headers.get('range'), release.size)
	if (range.kind === 'unsatisfiable') {
		return new Response(JSON.stringify({ code: 'RANGE_NOT_SATISFIABLE', message: `the image has ${release.size} bytes` }), {
			status: 416,
			headers: { ...common, 'content-type': 'application/json', 'content-range': `bytes */${release.size}` },
		})
	}
	if (range.kind === 'whole') return new Response(file, { status: 200, headers: { ...common, 'content-length': String(release.size) } })
	return new Response(file.slice(range.start, range.end + 1), {
		status: 206,
		headers: { ...common, 'content-range': `bytes ${range.start}-${range.end}/${release.size}`, 'content-length': String(range.end - range.start + 1) },
	})
}

/** The origin toys reached us on (for absolute image URLs; xiaozhi needs one). */
export function publicBase(request: Request): string {
	const url = new URL(request.url)
	const host = request.headers.get('host') ?? url.host
	const safeHost = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : url.host
	const secure = url.protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https'
	return `${secure ? 'https' : 'http'}://${safeHost}`
}
