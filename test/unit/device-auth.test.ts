import { afterEach, describe, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { DeviceAuthenticator, type NonceClaimer } from '../../gateway/src/auth/device-auth'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { GatewayError } from '../../gateway/src/errors'
import { MemoryNonceStore } from '../../gateway/src/store/nonces'
import { MemoryRateLimiter } from '../../gateway/src/store/rate-limits'
import { TEST_SECRET } from '../support/gateway-process'
import { legacyToken, v2Token } from '../support/seed-url'

// Token policy (PROTOCOL.md §1) with a clock the test moves: the ±120 s window, one use per
// (device, nonce), legacy only when allowed, and nothing reaches the nonce store before the HMAC holds.

const NOW = 1_767_225_600
const POLICY = { allowLegacyTokens: true, tokenWindowSeconds: 120, nonceTtlSeconds: 600 }

// Counts claims so a test can see whether the nonce store was touched at all.
class CountingNonces implements NonceClaimer {
	claims = 0
	constructor(readonly inner: MemoryNonceStore) {}
	claim(deviceId: string, nonce: string, ttlSeconds: number): Promise<boolean> {
		this.claims++
		return this.inner.claim(deviceId, nonce, ttlSeconds)
	}
}

const stores: MemoryNonceStore[] = []
afterEach(async () => {
	for (const s of stores.splice(0)) await s.close()
})

function setup(policy: Partial<typeof POLICY> = {}) {
	const clock = { now: NOW }
	const store = new MemoryNonceStore({ now: () => clock.now * 1000 })
	stores.push(store)
	const nonces = new CountingNonces(store)
	const auth = new DeviceAuthenticator(fallbackCodec.createTokenVerifier(TEST_SECRET), nonces, { ...POLICY, ...policy }, () => clock.now)
	return { auth, clock, nonces, store }
}

const nonceOf = (token: string) => token.split('.')[2]

function withNonce(deviceId: string, ts: number, nonce: string): string {
	// v2Token draws a random nonce; re-sign with a chosen one to test cross-device reuse.
	const key = createHmac('sha256', TEST_SECRET).update(`teddy-device-key|${deviceId}`).digest()
	const sig = createHmac('sha256', key).update(`v2|${deviceId}|${ts}|${nonce}`).digest('hex')
	return `v2.${ts}.${nonce}.${sig}`
}

describe('device authentication', () => {
	test('accepts a fresh v2 token', async () => {
		const { auth } = setup()
		expect(await auth.authenticate('toy-1', v2Token('toy-1', TEST_SECRET, NOW))).toEqual({ ok: true, kind: 'v2' })
	})

	test('accepts a v2 token at the edges of the window', async () => {
		const { auth } = setup()
		expect((await auth.authenticate('toy-1', v2Token('toy-1', TEST_SECRET, NOW - 120))).ok).toBe(true)
		expect((await auth.authenticate('toy-1', v2Token('toy-1', TEST_SECRET, NOW + 120))).ok).toBe(true)
	})

	test('refuses a token 121 s old or 121 s ahead', async () => {
		const { auth, nonces } = setup()
		const old = await auth.authenticate('toy-1', v2Token('toy-1', TEST_SECRET, NOW - 121))
		const ahead = await auth.authenticate('toy-1', v2Token('toy-1', TEST_SECRET, NOW + 121))
		expect(old).toMatchObject({ ok: false, reason: 'expired' })
		expect(ahead).toMatchObject({ ok: false, reason: 'expired' })
		expect(nonces.claims).toBe(0)
	})

	test('refuses a token once the clock has moved past its window', async () => {
		const { auth, clock } = setup()
		const token = v2Token('toy-1', TEST_SECRET, NOW)
		clock.now += 121
		expect(await auth.authenticate('toy-1', token)).toMatchObject({ ok: false, reason: 'expired' })
	})

	test('refuses a replayed token', async () => {
		const { auth, clock } = setup()
		const token = v2Token('toy-1', TEST_SECRET, NOW)
		expect((await auth.authenticate('toy-1', token)).ok).toBe(true)
		expect(await auth.authenticate('toy-1', token)).toMatchObject({ ok: false, reason: 'replayed' })
		clock.now += 60
		expect(await auth.authenticate('toy-1', token)).toMatchObject({ ok: false, reason: 'replayed' })
	})

	test('refuses a reused nonce under a new timestamp', async () => {
		const { auth } = setup()
		const nonce = nonceOf(v2Token('toy-1', TEST_SECRET, NOW))
		expect((await auth.authenticate('toy-1', withNonce('toy-1', NOW, nonce))).ok).toBe(true)
		expect(await auth.authenticate('toy-1', withNonce('toy-1', NOW + 1, nonce))).toMatchObject({ ok: false, reason: 'replayed' })
	})

	test('accepts the same nonce for another device', async () => {
		const { auth } = setup()
		const nonce = '9f86d081884c7d65aa'
		expect((await auth.authenticate('toy-1', withNonce('toy-1', NOW, nonce))).ok).toBe(true)
		expect(await auth.authenticate('toy-2', withNonce('toy-2', NOW, nonce))).toEqual({ ok: true, kind: 'v2' })
	})

	test('accepts a legacy token when legacy is allowed', async () => {
		const { auth, nonces } = setup({ allowLegacyTokens: true })
		expect(await auth.authenticate('toy-1', legacyToken('toy-1'))).toEqual({ ok: true, kind: 'legacy' })
		expect(nonces.claims).toBe(0)
	})

	test('refuses a legacy token when legacy is disabled', async () => {
		const { auth } = setup({ allowLegacyTokens: false })
		expect(await auth.authenticate('toy-1', legacyToken('toy-1'))).toMatchObject({ ok: false, reason: 'legacy_disabled' })
		expect((await auth.authenticate('toy-1', v2Token('toy-1', TEST_SECRET, NOW))).ok).toBe(true)
	})

	test('refuses a bad device id without touching the nonce store', async () => {
		const { auth, nonces, store } = setup()
		for (const id of ['toy 1', 'toy/1', 'x'.repeat(65), 'toy|1', 'tëddy']) {
			const r = await auth.authenticate(id, withNonce(id, NOW, 'a'.repeat(16)))
			expect(r).toMatchObject({ ok: false, reason: 'bad_device_id' })
		}
		expect(nonces.claims).toBe(0)
		expect(store.size).toBe(0)
	})

	test('refuses a missing device id or token', async () => {
		const { auth } = setup()
		expect(await auth.authenticate('', v2Token('toy-1', TEST_SECRET, NOW))).toMatchObject({ ok: false, reason: 'missing' })
		expect(await auth.authenticate('toy-1', null)).toMatchObject({ ok: false, reason: 'missing' })
	})

	test('a forged token does not burn the nonce', async () => {
		const { auth, nonces, store } = setup()
		const good = v2Token('toy-1', TEST_SECRET, NOW)
		const [, ts, nonce, sig] = good.split('.')
		const forged = `v2.${ts}.${nonce}.${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`
		expect(await auth.authenticate('toy-1', forged)).toMatchObject({ ok: false, reason: 'bad_token' })
		// a token signed for another device with this nonce is a forgery too
		expect(await auth.authenticate('toy-1', v2Token('toy-2', TEST_SECRET, NOW))).toMatchObject({ ok: false, reason: 'bad_token' })
		expect(nonces.claims).toBe(0)
		expect(store.size).toBe(0)
		// the real toy can still use its token
		expect(await auth.authenticate('toy-1', good)).toEqual({ ok: true, kind: 'v2' })
	})

	test('an expired token does not burn the nonce', async () => {
		const { auth, clock } = setup()
		const nonce = 'c'.repeat(16)
		clock.now = NOW + 200
		expect(await auth.authenticate('toy-1', withNonce('toy-1', NOW, nonce))).toMatchObject({ ok: false, reason: 'expired' })
		expect((await auth.authenticate('toy-1', withNonce('toy-1', NOW + 200, nonce))).ok).toBe(true)
	})

	test('gives a human message with every refusal', async () => {
		const { auth } = setup({ allowLegacyTokens: false })
		const r = await auth.authenticate('toy-1', legacyToken('toy-1'))
		expect(r.ok).toBe(false)
		if (!r.ok) expect(r.message).toMatch(/legacy/i)
	})

	// A device key can mint any number of valid tokens: the budget per device is what bounds one toy
	// (or a thief of its key), and only a verified token may spend it.
	test('a device over its token budget is rate limited; forged tokens never spend it; others unaffected', async () => {
		const clock = { now: NOW }
		const store = new MemoryNonceStore({ now: () => clock.now * 1000 })
		stores.push(store)
		const perDevice = new MemoryRateLimiter(3, 60_000, () => clock.now * 1000)
		const auth = new DeviceAuthenticator(fallbackCodec.createTokenVerifier(TEST_SECRET), store, POLICY, () => clock.now, undefined, perDevice)
		// forged tokens in the victim's name are refused as bad and cost the victim nothing
		for (let i = 0; i < 10; i++) expect((await auth.authenticate('victim', v2Token('victim', 'f'.repeat(64), NOW))).ok).toBe(false)
		for (let i = 0; i < 3; i++) expect((await auth.authenticate('victim', v2Token('victim', TEST_SECRET, NOW))).ok).toBe(true)
		const over = await auth.authenticate('victim', v2Token('victim', TEST_SECRET, NOW)).catch((e: unknown) => e)
		expect(over).toBeInstanceOf(GatewayError)
		expect((over as GatewayError).code).toBe('RATE_LIMITED')
		expect((over as GatewayError).retryAfterSeconds).toBe(60)
		expect(await auth.authenticate('bystander', v2Token('bystander', TEST_SECRET, NOW))).toEqual({ ok: true, kind: 'v2' })
		expect(await auth.authenticate('bystander', legacyToken('bystander'))).toEqual({ ok: true, kind: 'legacy' })
		clock.now += 61
		expect((await auth.authenticate('victim', v2Token('victim', TEST_SECRET, clock.now))).ok).toBe(true)
		perDevice.close()
	})
})

