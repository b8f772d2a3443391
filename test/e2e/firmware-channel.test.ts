import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { checkFirmware, downloadRanged, type Manifest, verifyImage } from '../../bench/lib/seed-boot'
import { makeV2Token } from '../../bench/lib/token'
import { rawPublicKey, signImage } from '../../scripts/sign-firmware'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'
import { operatorEnv, operatorToken } from '../support/operator-account'

// The firmware channel (issue 15, PROTOCOL.md §2): operators publish images signed outside the
// gateway (scripts/sign-firmware.ts), the gateway checks the signature against its configured
// public keys; toys get a manifest by staged rollout, pause/resume, force and minimum version;
// images are served with Range and strong caching; the xiaozhi check-in is fed by the same
// channel; a rollout whose toys roll back (or go quiet) pauses itself.

const release = generateKeyPairSync('ed25519')
const stranger = generateKeyPairSync('ed25519')
const releasePub = rawPublicKey(release.privateKey)

let db: TestDatabase
let gw: GatewayProcess
let op: string
let sql: postgres.Sql
let keyDir: string

const image = (n: number, seed: number) => {
	const b = new Uint8Array(n)
	for (let i = 0; i < n; i++) b[i] = (i * 31 + seed + (i >> 8)) & 0xff
	return b
}

beforeAll(async () => {
	db = await createTestDatabase()
	keyDir = await mkdtemp(join(tmpdir(), 'teddy-sign-'))
	gw = await startGatewayProcess({
		...operatorEnv(db.url),
		FIRMWARE_PUBLIC_KEYS: `${rawPublicKey(generateKeyPairSync('ed25519').privateKey).toString('base64')},${releasePub.toString('hex')}`,
		FIRMWARE_MAX_BYTES: String(512 * 1024),
		ROLLOUT_MIN_DEVICES: '3',
		ROLLOUT_FAILURE_SHARE: '0.5',
		DEVICE_REQUESTS_PER_IP_PER_MINUTE: '100000',
		TOKENS_PER_DEVICE_PER_MINUTE: '10000',
	})
	op = await operatorToken(db.url, gw.url)
	sql = postgres(db.url, { max: 1, onnotice: () => {} })
})
afterAll(async () => {
	await sql?.end()
	await gw?.stop()
	await db?.drop()
	if (keyDir) await rm(keyDir, { recursive: true, force: true })
})

function publish(model: string, version: string, bytes: Uint8Array, signature: string, query = '', token = op) {
	return fetch(`${gw.url}/api/v1/operator/firmware/${model}/${version}${query}`, {
		method: 'PUT',
		headers: { authorization: `Bearer ${token}`, 'x-firmware-signature': signature, 'content-type': 'application/octet-stream' },
		body: bytes,
	})
}
const patch = (id: string, body: object) =>
	fetch(`${gw.url}/api/v1/operator/firmware/${id}`, { method: 'PATCH', headers: { authorization: `Bearer ${op}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
const releases = async () => ((await (await fetch(`${gw.url}/api/v1/operator/firmware`, { headers: { authorization: `Bearer ${op}` } })).json()) as { releases: any[] }).releases
const v2 = (id: string) => makeV2Token(TEST_SECRET, id)
const manifest = (id: string, model: string, version: string) => checkFirmware(gw.url, id, v2(id), model, version)

describe('publishing', () => {
	test('an image signed with scripts/sign-firmware.ts is accepted; its record says which key verified it', async () => {
		const keyPath = join(keyDir, 'release.pem')
		await writeFile(keyPath, release.privateKey.export({ format: 'pem', type: 'pkcs8' }))
		const imgPath = join(keyDir, 'img.bin')
		const bytes = image(200 * 1024, 1)
		await writeFile(imgPath, bytes)
		// signed by the script as a release machine runs it, outside the gateway
		const out = Bun.spawnSync(['bun', 'scripts/sign-firmware.ts', 'sign', keyPath, imgPath], { cwd: join(import.meta.dir, '..', '..') })
		expect(out.exitCode).toBe(0)
		const signature = out.stdout.toString().trim()
		const r = await publish('teddy-s3', '1.1.0', bytes, signature, '?rollout_percent=0')
		expect(r.status).toBe(201)
		const body = (await r.json()) as any
		expect(body).toMatchObject({ model: 'teddy-s3', version: '1.1.0', size: bytes.length, rollout_percent: 0, paused: false, signature })
		expect(body.sha256).toBe(new Bun.CryptoHasher('sha256').update(bytes).digest('hex'))
		expect(body.key_id).toMatch(/^[0-9a-f]{16}$/)
	})

	test('a signature by another key, or over other bytes, is refused and nothing is published', async () => {
		const bytes = image(10_000, 2)
		const byStranger = await publish('teddy-s3', '9.0.0', bytes, signImage(stranger.privateKey, bytes))
		expect(byStranger.status).toBe(400)
		expect(((await byStranger.json()) as any).code).toBe('SIGNATURE_INVALID')
		const tampered = bytes.slice()
		tampered[5000] ^= 1
		const overOther = await publish('teddy-s3', '9.0.0', tampered, signImage(release.privateKey, bytes))
		expect(overOther.status).toBe(400)
		const missing = await fetch(`${gw.url}/api/v1/operator/firmware/teddy-s3/9.0.0`, { method: 'PUT', headers: { authorization: `Bearer ${op}` }, body: bytes })
		expect(missing.status).toBe(400)
		expect((await releases()).map((r) => r.version)).not.toContain('9.0.0')
	})

	test('only operators publish; a version is immutable; images over FIRMWARE_MAX_BYTES are 413', async () => {
		const bytes = image(1000, 3)
		const sig = signImage(release.privateKey, bytes)
		expect((await publish('teddy-s3', '1.2.0', bytes, sig, '', 'not-a-token')).status).toBe(401)
		expect((await publish('teddy-s3', '1.2.0', bytes, sig)).status).toBe(201)
		const again = await publish('teddy-s3', '1.2.0', image(1000, 4), signImage(release.privateKey, image(1000, 4)))
		expect(again.status).toBe(409)
		const big = image(600 * 1024, 5)
		expect((await publish('teddy-s3', '1.3.0', big, signImage(release.privateKey, big))).status).toBe(413)
		expect((await publish('teddy-s3', '1.3.0', bytes, sig, '', op)).status).toBe(201) // the 413 stored nothing
	})
})

describe('manifest and rollout', () => {
	let id: string
	const model = 'teddy-c3'
	const bytes = image(300 * 1024 + 17, 7)

	beforeAll(async () => {
		const r = await publish(model, '2.0.0', bytes, signImage(release.privateKey, bytes), '?rollout_percent=0')
		id = ((await r.json()) as any).id
	})

	test('0 % offers nothing (204); 100 % offers a manifest the toy can verify; pause and resume', async () => {
		expect((await manifest('Teddy-ESP32-001', model, '1.0.0')).status).toBe(204)
		expect((await patch(id, { rollout_percent: 100 })).status).toBe(200)
		const m = await manifest('Teddy-ESP32-001', model, '1.0.0')
		expect(m.status).toBe(200)
		expect(m.manifest).toMatchObject({ version: '2.0.0', size: bytes.length, force: false })
		const dl = await downloadRanged(m.manifest!.url, m.manifest!.size, 3)
		expect(dl.requests.map((r) => r.status)).toEqual([206, 206, 206])
		expect(verifyImage(dl.bytes, m.manifest!, releasePub)).toBe('ok')
		// a toy already on it, or newer, gets nothing; nor another model
		expect((await manifest('Teddy-ESP32-001', model, '2.0.0')).status).toBe(204)
		expect((await manifest('Teddy-ESP32-001', model, '2.1.0')).status).toBe(204)
		expect((await manifest('Teddy-ESP32-001', 'other-board', '1.0.0')).status).toBe(204)
		expect(((await (await patch(id, { paused: true })).json()) as any).paused_reason).toBe('paused by an operator')
		expect((await manifest('ABCD1234', model, '1.0.0')).status).toBe(204)
		expect((await patch(id, { paused: false })).status).toBe(200)
		expect((await manifest('ABCD1234', model, '1.0.0')).status).toBe(200)
	})

	test('a toy below the minimum version gets it forced, whatever the percentage or a pause', async () => {
		await patch(id, { rollout_percent: 0, paused: true, min_version: '1.5.0' })
		const low = await manifest('fw-low-1', model, '1.4.9')
		expect(low.status).toBe(200)
		expect(low.manifest!.force).toBe(true)
		expect((await manifest('fw-low-2', model, '1.5.0')).status).toBe(204)
		await patch(id, { rollout_percent: 100, paused: false, min_version: null, force: true })
		expect((await manifest('fw-low-2', model, '1.5.0')).manifest!.force).toBe(true)
		await patch(id, { force: false })
	})

	test('the manifest needs a device token', async () => {
		const r = await fetch(`${gw.url}/api/v1/esp32/firmware?model=${model}&version=1.0.0`, { headers: { 'device-id': 'x1' } })
		expect(r.status).toBe(401)
	})

	test('a staged rollout offers about its share of toys, the same toys each time, more as it grows', async () => {
		await patch(id, { rollout_percent: 20 })
		const ids = Array.from({ length: 200 }, (_, i) => `stage-${i}`)
		const offered = async () => {
			const got = new Set<string>()
			for (const d of ids) if ((await manifest(d, model, '1.0.0')).status === 200) got.add(d)
			return got
		}
		const at20 = await offered()
		// 200 draws at p = 0.2: mean 40, sd 5.7
		expect(at20.size).toBeGreaterThan(20)
		expect(at20.size).toBeLessThan(60)
		expect(await offered()).toEqual(at20)
		await patch(id, { rollout_percent: 60 })
		const at60 = await offered()
		for (const d of at20) expect(at60.has(d)).toBe(true)
		expect(at60.size).toBeGreaterThan(at20.size)
		await patch(id, { rollout_percent: 100 })
	})
})

describe('image bytes', () => {
	let m: Manifest
	const bytes = image(100_000, 9)

	beforeAll(async () => {
		const r = await publish('teddy-img', '3.0.0', bytes, signImage(release.privateKey, bytes), '?rollout_percent=100')
		expect(r.status).toBe(201)
		m = (await manifest('img-1', 'teddy-img', '1.0.0')).manifest!
	})

	test('whole image: 200, strong ETag (the sha256), immutable caching, Accept-Ranges; 304 for that ETag', async () => {
		const r = await fetch(m.url)
		expect(r.status).toBe(200)
		expect(r.headers.get('etag')).toBe(`"${m.sha256}"`)
		expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
		expect(r.headers.get('accept-ranges')).toBe('bytes')
		expect(new Uint8Array(await r.arrayBuffer())).toEqual(bytes)
		const again = await fetch(m.url, { headers: { 'if-none-match': `"${m.sha256}"` } })
		expect(again.status).toBe(304)
	})

	test('ranges: a-b, a-, -n are 206 with Content-Range; past the end is 416 with bytes */size', async () => {
		const get = (range: string) => fetch(m.url, { headers: { range } })
		const ab = await get('bytes=10-19')
		expect(ab.status).toBe(206)
		expect(ab.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`)
		expect(new Uint8Array(await ab.arrayBuffer())).toEqual(bytes.slice(10, 20))
		const from = await get(`bytes=${bytes.length - 5}-`)
		expect(new Uint8Array(await from.arrayBuffer())).toEqual(bytes.slice(-5))
		const suffix = await get('bytes=-7')
		expect(suffix.headers.get('content-range')).toBe(`bytes ${bytes.length - 7}-${bytes.length - 1}/${bytes.length}`)
		expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(bytes.slice(-7))
		const past = await get(`bytes=${bytes.length}-`)
		expect(past.status).toBe(416)
		expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`)
		// an end past the size is cut to the size
		const long = await get(`bytes=99990-200000`)
		expect(long.headers.get('content-range')).toBe(`bytes 99990-99999/${bytes.length}`)
		// a stale If-Range gets the whole image
		const stale = await fetch(m.url, { headers: { range: 'bytes=0-9', 'if-range': '"other"' } })
		expect(stale.status).toBe(200)
	})

	test('without a valid signed URL, only the toy’s own token fetches it; unknown versions are 404', async () => {
		const u = new URL(m.url)
		u.searchParams.set('sig', '0'.repeat(32))
		expect((await fetch(u)).status).toBe(401)
		const bare = `${gw.url}${u.pathname}`
		expect((await fetch(bare)).status).toBe(400) // no Device-Id
		expect((await fetch(bare, { headers: { 'device-id': 'img-2' } })).status).toBe(401)
		const own = await fetch(bare, { headers: { 'device-id': 'img-2', authorization: `Bearer ${v2('img-2')}`, range: 'bytes=0-3' } })
		expect(own.status).toBe(206)
		const none = await fetch(`${gw.url}/api/v1/esp32/firmware/teddy-img/3.9.9.bin`, { headers: { 'device-id': 'img-2', authorization: `Bearer ${v2('img-2')}` } })
		expect(none.status).toBe(404)
	})
})

describe('xiaozhi check-in and rollback detection', () => {
	const model = 'bread-compact-wifi'
	let id: string
	const bytes = image(5000, 11)

	beforeAll(async () => {
		const r = await publish(model, '1.7.0', bytes, signImage(release.privateKey, bytes), '?rollout_percent=100')
		id = ((await r.json()) as any).id
	})

	const checkIn = (deviceId: string, version: string) =>
		fetch(`${gw.url}/xiaozhi/ota/`, {
			method: 'POST',
			headers: { 'device-id': deviceId, 'client-id': `client-${deviceId}-0000`, 'content-type': 'application/json' },
			body: JSON.stringify({ application: { name: 'xiaozhi', version }, board: { type: model, name: model } }),
		}).then(async (r) => ({ status: r.status, body: (await r.json()) as any }))

	test('the check-in offers the channel’s release with a URL xiaozhi can download without headers', async () => {
		const r = await checkIn('xz-1', '1.6.0')
		expect(r.status).toBe(200)
		expect(r.body.firmware.version).toBe('1.7.0')
		const img = await fetch(r.body.firmware.url)
		expect(img.status).toBe(200)
		expect(new Uint8Array(await img.arrayBuffer())).toEqual(bytes)
		// on the new version: nothing more to install
		const after = await checkIn('xz-1', '1.7.0')
		expect(after.body.firmware).toEqual({ version: '1.7.0', url: '' })
	})

	test('toys that took the release and come back on the old one pause the rollout, which says why', async () => {
		const toys = ['rb-1', 'rb-2', 'rb-3', 'rb-4']
		for (const t of toys) expect((await checkIn(t, '1.6.0')).body.firmware.url).not.toBe('')
		for (const t of toys) await checkIn(t, '1.7.0') // took it
		// five took it (xz-1 above too); the bootloader rolls two back: 40 %, under the 50 % threshold
		await checkIn('rb-1', '1.6.0')
		await checkIn('rb-2', '1.6.0')
		expect((await releases()).find((r) => r.id === id).paused).toBe(false)
		await checkIn('rb-3', '1.6.0')
		const paused = (await releases()).find((r) => r.id === id)
		expect(paused.paused).toBe(true)
		expect(paused.paused_reason).toContain('3 of 5')
		expect(paused.health).toEqual({ took: 5, rolled_back: 3, silent: 0 })
		expect(gw.logs()).toContain('firmware rollout paused')
		// a new toy is not offered it any more; an operator can resume it
		expect((await checkIn('rb-9', '1.6.0')).body.firmware.url).toBe('')
		const resumed = (await (await patch(id, { paused: false })).json()) as any
		expect(resumed.paused_reason).toBeNull()
	})

	test('toys that took a release and stop checking in pause it too', async () => {
		const quietModel = 'quiet-board'
		const b = image(3000, 13)
		const rid = ((await (await publish(quietModel, '5.0.0', b, signImage(release.privateKey, b), '?rollout_percent=100')).json()) as any).id
		const dev = (d: string, version: string) =>
			fetch(`${gw.url}/xiaozhi/ota/`, {
				method: 'POST',
				headers: { 'device-id': d, 'client-id': `client-${d}-0000`, 'content-type': 'application/json' },
				body: JSON.stringify({ application: { version }, board: { type: quietModel } }),
			})
		for (const d of ['q-1', 'q-2', 'q-3', 'q-4']) {
			await dev(d, '4.0.0')
			await dev(d, '5.0.0')
		}
		// ? two of them were last seen three days ago (time moved on without them)
		await sql`update firmware_devices set last_seen_at = now() - interval '72 hours' where device_id in ('q-1', 'q-2')`
		await dev('q-3', '5.0.0')
		const r = (await releases()).find((x) => x.id === rid)
		expect(r.paused).toBe(true)
		expect(r.paused_reason).toContain('2 stopped checking in')
	})

	test('a seed toy reports its version with its config request; only an authenticated report counts', async () => {
		const m = 'cfg-board'
		const b = image(4000, 17)
		const rid = ((await (await publish(m, '2.0.0', b, signImage(release.privateKey, b), '?rollout_percent=100')).json()) as any).id
		const toys = ['cfg-1', 'cfg-2', 'cfg-3']
		const config = (d: string, version: string, auth: boolean) =>
			fetch(`${gw.url}/api/v1/esp32/config?model=${m}&version=${version}`, { headers: auth ? { 'device-id': d, authorization: `Bearer ${v2(d)}` } : { 'device-id': d } })
		for (const d of toys) expect((await manifest(d, m, '1.0.0')).status).toBe(200)
		for (const d of toys) expect((await config(d, '2.0.0', true)).status).toBe(200) // booted the new image
		const health = async () => (await releases()).find((x) => x.id === rid)
		expect((await health()).health).toEqual({ took: 3, rolled_back: 0, silent: 0 })
		// anyone can name a toy: an unauthenticated "I run the old version" changes nothing
		for (const d of toys) await config(d, '1.0.0', false)
		expect((await health()).paused).toBe(false)
		for (const d of toys.slice(0, 2)) await config(d, '1.0.0', true)
		const r = await health()
		expect(r.health.rolled_back).toBe(2)
		expect(r.paused).toBe(true)
	})
})
