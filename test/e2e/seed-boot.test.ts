import { afterAll, beforeAll, expect, test } from 'bun:test'
import { generateKeyPairSync } from 'node:crypto'
import { checkFirmware, claimBody, downloadRanged, fetchConfig, postClaim, runSeedBoot, verifyImage } from '../../bench/lib/seed-boot'
import { deviceKey } from '../../bench/lib/token'
import { rawPublicKey, signImage } from '../../scripts/sign-firmware'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'
import { operatorEnv, operatorToken } from '../support/operator-account'

// The seed firmware's whole boot against a real gateway, driven by the bench's simulator
// (bench/lib/seed-boot.ts, issue 15): config and a 304, the claim, the device JWT, a WebSocket turn
// answered in MP3 that a real decoder (mpg123) plays at the right length and level, then an OTA
// update — manifest, the image in three Range pieces, SHA-256 and Ed25519 checked, the new version
// reported back. A release signed with a key the toy does not hold, or bytes that do not match
// the manifest, are refused by the toy. Answers come from the fake provider: 1.5 s of voiced audio.

const ANSWER_MS = 1500
const toyKey = generateKeyPairSync('ed25519') // provisioned into the toy
const otherKey = generateKeyPairSync('ed25519') // another release key the gateway accepts

let db: TestDatabase
let gw: GatewayProcess
let op: string

const image = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed + (i >> 9)) & 0xff)

async function publish(model: string, version: string, bytes: Uint8Array, signature: string) {
	const r = await fetch(`${gw.url}/api/v1/operator/firmware/${model}/${version}?rollout_percent=100`, {
		method: 'PUT',
		headers: { authorization: `Bearer ${op}`, 'x-firmware-signature': signature },
		body: bytes,
	})
	expect(r.status).toBe(201)
}

beforeAll(async () => {
	db = await createTestDatabase()
	gw = await startGatewayProcess({
		...operatorEnv(db.url),
		FIRMWARE_PUBLIC_KEYS: [toyKey, otherKey].map((k) => rawPublicKey(k.privateKey).toString('hex')).join(','),
		TEDDY_PROVIDER: 'fake',
		FAKE_PROVIDER_LATENCY_MS: '100',
		FAKE_PROVIDER_ANSWER_MS: String(ANSWER_MS),
	})
	op = await operatorToken(db.url, gw.url)
})
afterAll(async () => {
	await gw?.stop()
	await db?.drop()
})

test('a seed toy boots: config + 304, claim, JWT, an MP3 answer, and a verified ranged OTA update', async () => {
	const bytes = image(150_000, 1)
	await publish('seed-s3', '1.1.0', bytes, signImage(toyKey.privateKey, bytes))
	const report = await runSeedBoot({
		base: gw.url,
		deviceId: 'Teddy-ESP32-001',
		secret: TEST_SECRET,
		model: 'seed-s3',
		version: '1.0.0',
		releasePublicKey: rawPublicKey(toyKey.privateKey),
		text: 'Hello Teddy, what is your favourite colour?',
	})
	expect(report.config).toMatchObject({ first: 200, second: 304 })
	expect(report.config.wsUrl).toEndWith('/api/v1/esp32/private/chat')
	expect(report.claim).toEqual({ status: 200, paired: false })

	const turn = report.turn
	expect(turn.errors).toEqual([])
	expect(turn.final).toBe(true)
	expect(turn.decoded.errors).toBe(0)
	expect(turn.decoded.sampleRate).toBe(22050)
	// the answer (and the session's spoken AI disclosure before it) plays at least as long as the provider spoke
	expect(turn.decoded.seconds).toBeGreaterThanOrEqual(ANSWER_MS / 1000)
	expect(turn.decoded.seconds).toBeLessThan(30)
	// every piece decodes: two MP3 frames of 576 samples each (the last may hold one)
	const audioPieces = turn.mp3.filter((p) => p.length > 0).length
	expect(Math.abs(turn.decoded.samples - audioPieces * 1152)).toBeLessThanOrEqual(1152)
	expect(turn.decoded.rms).toBeGreaterThan(500)
	expect(turn.decoded.rms).toBeLessThan(20_000)

	const ota = report.ota
	expect(ota.manifest).toMatchObject({ version: '1.1.0', size: bytes.length })
	expect(ota.download!.requests.map((r) => r.status)).toEqual([206, 206, 206])
	expect(ota.download!.requests.map((r) => r.contentRange)).toEqual([
		`bytes 0-49999/${bytes.length}`,
		`bytes 50000-99999/${bytes.length}`,
		`bytes 100000-149999/${bytes.length}`,
	])
	expect(ota.verdict).toBe('ok')
	expect(ota.running).toBe('1.1.0')
	// it reported the new version: nothing more to install, and the operator sees it took
	expect(ota.afterUpdate).toBe(204)
	const list = (await (await fetch(`${gw.url}/api/v1/operator/firmware`, { headers: { authorization: `Bearer ${op}` } })).json()) as { releases: any[] }
	expect(list.releases.find((r) => r.model === 'seed-s3').health.took).toBe(1)
}, 60_000)

test('the toy refuses a release signed with a key it does not hold, and bytes that do not match the manifest', async () => {
	const bytes = image(70_000, 2)
	// the gateway accepts it (one of its configured keys) — the toy, provisioned with another, must not
	await publish('seed-c3', '2.0.0', bytes, signImage(otherKey.privateKey, bytes))
	const deviceId = 'ABCD1234'
	const salt = (await fetchConfig(gw.url)).body!.claim.salt
	const jwt = String((await postClaim(gw.url, '/api/v1/pair/claim', claimBody(deviceKey(TEST_SECRET, deviceId), deviceId, salt))).body.token)
	const { manifest } = await checkFirmware(gw.url, deviceId, jwt, 'seed-c3', '1.0.0')
	expect(manifest).not.toBeNull()
	const dl = await downloadRanged(manifest!.url, manifest!.size, 3)
	const pub = rawPublicKey(toyKey.privateKey)
	expect(verifyImage(dl.bytes, manifest!, pub)).toBe('signature')
	// with its own key's signature it would pass — so the refusal above was the key, not the bytes
	expect(verifyImage(dl.bytes, { ...manifest!, signature: signImage(toyKey.privateKey, bytes) }, pub)).toBe('ok')
	const corrupted = dl.bytes.slice()
	corrupted[12_345] ^= 0x40
	expect(verifyImage(corrupted, { ...manifest!, signature: signImage(toyKey.privateKey, bytes) }, pub)).toBe('sha256')
	expect(verifyImage(dl.bytes.subarray(1), manifest!, pub)).toBe('size')
}, 30_000)
