// The seed firmware's boot, as the toy does it (issue 15; seed integration report 001):
//   GET /api/v1/esp32/config (and again with If-None-Match → 304) → clock → POST /api/v1/pair/claim
//   with its out-of-band secret and an HMAC → device JWT → a WebSocket turn answered in MP3 →
//   GET /api/v1/esp32/firmware (manifest) → the image in Range pieces → SHA-256 and Ed25519
//   signature checked → the new version reported back.
// Written from the protocol text with node:crypto, independently of the gateway's code, so a
// shared misreading cannot pass unnoticed. Used by bench/seed-boot.ts and the end-to-end test.

import { createHash, createHmac, createPublicKey, randomBytes, verify } from 'node:crypto'
import { MPEGDecoder } from 'mpg123-decoder'
import { runSeedTurn, type SeedTurnResult } from './seed-client'
import { deviceKey } from './token'

export interface DeviceConfigReply {
	status: number
	etag: string | null
	body: { websocket: { url: string; path: string }; claim: { path: string; salt: string }; server_time?: number; [k: string]: unknown } | null
	date: string | null
}

export async function fetchConfig(base: string, etag?: string | null, model?: string): Promise<DeviceConfigReply> {
	const r = await fetch(`${base}/api/v1/esp32/config${model ? `?model=${encodeURIComponent(model)}` : ''}`, { headers: etag ? { 'if-none-match': etag } : {} })
	const text = await r.text()
	return { status: r.status, etag: r.headers.get('etag'), body: r.status === 200 ? JSON.parse(text) : null, date: r.headers.get('date') }
}

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex')

/** `SHA256(device_id:salt)` → hex → `SHA256(hex + salt)` → upper case. */
export function oobSecret(deviceId: string, salt: string): string {
	return sha256Hex(sha256Hex(`${deviceId}:${salt}`) + salt).toUpperCase()
}

export interface ClaimBody {
	device_id: string
	oob_secret: string
	nonce: string
	timestamp: number
	hmac: string
}

export function claimBody(key: Uint8Array, deviceId: string, salt: string, opts: { nonce?: string; timestamp?: number; oob?: string } = {}): ClaimBody {
	const oob = opts.oob ?? oobSecret(deviceId, salt)
	const nonce = opts.nonce ?? randomBytes(16).toString('hex')
	const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000)
	const hmac = createHmac('sha256', key).update(`claim|${deviceId}|${timestamp}|${nonce}|${oob}`).digest('hex')
	return { device_id: deviceId, oob_secret: oob, nonce, timestamp, hmac }
}

export async function postClaim(base: string, path: string, body: ClaimBody): Promise<{ status: number; body: Record<string, unknown> }> {
	const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
	return { status: r.status, body: (await r.json()) as Record<string, unknown> }
}

export interface Manifest {
	version: string
	url: string
	size: number
	sha256: string
	signature: string
	force: boolean
}

export async function checkFirmware(base: string, deviceId: string, token: string, model: string, version: string): Promise<{ status: number; manifest: Manifest | null }> {
	const q = new URLSearchParams({ model, version })
	const r = await fetch(`${base}/api/v1/esp32/firmware?${q}`, { headers: { 'device-id': deviceId, authorization: `Bearer ${token}` } })
	if (r.status !== 200) {
		await r.arrayBuffer()
		return { status: r.status, manifest: null }
	}
	return { status: 200, manifest: (await r.json()) as Manifest }
}

export interface Download {
	bytes: Uint8Array
	/** status and Content-Range of each request */
	requests: Array<{ status: number; contentRange: string | null; bytes: number }>
}

/** The image in `pieces` Range requests, as a toy resumes over flaky Wi-Fi; only a 206 for the asked offset counts. */
export async function downloadRanged(url: string, size: number, pieces: number, headers: Record<string, string> = {}): Promise<Download> {
	const out = new Uint8Array(size)
	const requests: Download['requests'] = []
	const step = Math.ceil(size / pieces)
	for (let start = 0; start < size; start += step) {
		const end = Math.min(size, start + step) - 1
		const r = await fetch(url, { headers: { ...headers, range: `bytes=${start}-${end}` } })
		const body = new Uint8Array(await r.arrayBuffer())
		requests.push({ status: r.status, contentRange: r.headers.get('content-range'), bytes: body.length })
		if (r.status !== 206 || r.headers.get('content-range') !== `bytes ${start}-${end}/${size}` || body.length !== end - start + 1) {
			throw new Error(`range ${start}-${end}: got ${r.status} ${r.headers.get('content-range')} with ${body.length} bytes`)
		}
		out.set(body, start)
	}
	return { bytes: out, requests }
}

export type ImageVerdict = 'ok' | 'size' | 'sha256' | 'signature'

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** What the toy checks before it boots an image: size, its own SHA-256, and Ed25519 over that digest. */
export function verifyImage(bytes: Uint8Array, m: Manifest, releasePublicKey: Uint8Array): ImageVerdict {
	if (bytes.length !== m.size) return 'size'
	const digest = createHash('sha256').update(bytes).digest()
	if (digest.toString('hex') !== m.sha256.toLowerCase()) return 'sha256'
	const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(releasePublicKey)]), format: 'der', type: 'spki' })
	// ! over the digest the toy computed itself, not the manifest's claim about it
	return verify(null, digest, key, Buffer.from(m.signature, 'base64')) ? 'ok' : 'signature'
}

export interface Mp3Audio {
	samples: number
	sampleRate: number
	seconds: number
	/** RMS in int16 units */
	rms: number
	errors: number
}

export async function decodeMp3(pieces: Uint8Array[]): Promise<Mp3Audio> {
	const dec = new MPEGDecoder()
	await dec.ready
	try {
		const r = dec.decode(Buffer.concat(pieces))
		const pcm = r.channelData[0] ?? new Float32Array(0)
		let sum = 0
		for (const s of pcm) sum += s * s
		return {
			samples: pcm.length,
			sampleRate: r.sampleRate,
			seconds: r.sampleRate ? pcm.length / r.sampleRate : 0,
			rms: Math.sqrt(sum / Math.max(1, pcm.length)) * 32768,
			errors: r.errors.length,
		}
	} finally {
		dec.free()
	}
}

export interface SeedBootOptions {
	/** http(s)://host:port of the gateway */
	base: string
	deviceId: string
	/** Fleet secret the device key derives from (a real toy has only its key). */
	secret: string
	model: string
	version: string
	/** The release public key provisioned into the firmware. */
	releasePublicKey: Uint8Array
	text: string
	/** Range requests the image is fetched in. */
	pieces?: number
}

export interface SeedBootReport {
	config: { first: number; second: number; etag: string | null; wsUrl: string }
	claim: { status: number; paired: boolean }
	turn: SeedTurnResult & { decoded: Mp3Audio }
	ota: {
		manifest: Manifest | null
		download: Download | null
		verdict: ImageVerdict | null
		/** the version the toy runs at the end */
		running: string
		/** the manifest answer once it reported the new version (204: nothing newer) */
		afterUpdate: number
	}
}

export async function runSeedBoot(o: SeedBootOptions): Promise<SeedBootReport> {
	const first = await fetchConfig(o.base, null, o.model)
	if (first.status !== 200 || !first.body) throw new Error(`config: ${first.status}`)
	const second = await fetchConfig(o.base, first.etag, o.model)
	const cfg = first.body
	const key = deviceKey(o.secret, o.deviceId)
	const claimed = await postClaim(o.base, cfg.claim.path, claimBody(key, o.deviceId, cfg.claim.salt))
	if (claimed.status !== 200) throw new Error(`claim: ${claimed.status} ${JSON.stringify(claimed.body)}`)
	const jwt = String(claimed.body.token)
	const turn = await runSeedTurn({ url: cfg.websocket.url, path: cfg.websocket.path, deviceId: o.deviceId, token: jwt, text: o.text, responseFormat: 'mp3', timeoutMs: 30_000 })
	const decoded = await decodeMp3(turn.mp3)

	let running = o.version
	const { manifest } = await checkFirmware(o.base, o.deviceId, jwt, o.model, running)
	let download: Download | null = null
	let verdict: ImageVerdict | null = null
	if (manifest) {
		download = await downloadRanged(manifest.url, manifest.size, o.pieces ?? 3)
		verdict = verifyImage(download.bytes, manifest, o.releasePublicKey)
		if (verdict === 'ok') running = manifest.version // reboots into it
	}
	const after = await checkFirmware(o.base, o.deviceId, jwt, o.model, running)
	return {
		config: { first: first.status, second: second.status, etag: first.etag, wsUrl: cfg.websocket.url },
		claim: { status: claimed.status, paired: Boolean(claimed.body.paired) },
		turn: { ...turn, decoded },
		ota: { manifest, download, verdict, running, afterUpdate: after.status },
	}
}
