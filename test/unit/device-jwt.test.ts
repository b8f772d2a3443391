import { describe, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { SignJWT } from 'jose'
import { DeviceAuthenticator } from '../../gateway/src/auth/device-auth'
import { DeviceJwt, type TokenGenerations } from '../../gateway/src/auth/device-jwt'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { MemoryNonceStore } from '../../gateway/src/store/nonces'
import { TEST_SECRET } from '../support/gateway-process'
import { legacyToken, v2Token } from '../support/seed-url'

// Device JWTs (PROTOCOL.md §1) with a clock and a generation table the test controls.

const NOW = 1_767_225_600
const DAY = 24 * 3600

class Generations implements TokenGenerations {
	readonly table = new Map<string, number>([['toy-1', 0], ['toy-2', 0]])
	async tokenGeneration(deviceId: string): Promise<number | null> {
		return this.table.get(deviceId) ?? null
	}
}

function setup() {
	const clock = { now: NOW }
	const generations = new Generations()
	const jwt = new DeviceJwt(TEST_SECRET, generations, 30 * DAY, () => clock.now)
	return { clock, generations, jwt }
}

const jwtKey = new Uint8Array(createHmac('sha256', TEST_SECRET).update('teddy-device-jwt').digest())

describe('device JWT', () => {
	test('a token verifies for the device it was issued to', async () => {
		const { jwt } = setup()
		const { token, expiresIn } = await jwt.issue('toy-1', 0)
		expect(expiresIn).toBe(30 * DAY)
		expect(await jwt.verify('toy-1', token)).toBe('ok')
	})

	test('carries sub, iat, exp 30 days on, a jti and typ device', async () => {
		const { jwt } = setup()
		const { token } = await jwt.issue('toy-1', 0)
		const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())
		expect(claims).toMatchObject({ sub: 'toy-1', iat: NOW, exp: NOW + 30 * DAY, typ: 'device', gen: 0 })
		expect(typeof claims.jti).toBe('string')
		const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())
		expect(header.alg).toBe('HS256')
	})

	test('refuses a token of another device', async () => {
		const { jwt } = setup()
		const { token } = await jwt.issue('toy-2', 0)
		expect(await jwt.verify('toy-1', token)).toBe('bad')
	})

	test('refuses a token once it has expired', async () => {
		const { clock, jwt } = setup()
		const { token } = await jwt.issue('toy-1', 0)
		clock.now += 30 * DAY + 1
		expect(await jwt.verify('toy-1', token)).toBe('expired')
	})

	test('refuses a tampered token', async () => {
		const { jwt } = setup()
		const { token } = await jwt.issue('toy-1', 0)
		const [h, p, s] = token.split('.')
		const claims = JSON.parse(Buffer.from(p!, 'base64url').toString())
		const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'toy-2' })).toString('base64url')
		expect(await jwt.verify('toy-2', `${h}.${forged}.${s}`)).toBe('bad')
		const flipped = s!.slice(0, -2) + (s!.endsWith('AA') ? 'BB' : 'AA')
		expect(await jwt.verify('toy-1', `${h}.${p}.${flipped}`)).toBe('bad')
	})

	test('refuses alg none and a token signed with another key', async () => {
		const { jwt } = setup()
		const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
			JSON.stringify({ sub: 'toy-1', iat: NOW, exp: NOW + 60, jti: 'x', typ: 'device', gen: 0 }),
		).toString('base64url')}.`
		expect(await jwt.verify('toy-1', unsigned)).toBe('bad')
		const other = await new SignJWT({ typ: 'device', gen: 0 })
			.setProtectedHeader({ alg: 'HS256' })
			.setSubject('toy-1')
			.setIssuedAt(NOW)
			.setExpirationTime(NOW + 60)
			.setJti('x')
			.sign(new Uint8Array(32))
		expect(await jwt.verify('toy-1', other)).toBe('bad')
	})

	test('refuses a token without typ device', async () => {
		const { jwt } = setup()
		const notDevice = await new SignJWT({ gen: 0 })
			.setProtectedHeader({ alg: 'HS256' })
			.setSubject('toy-1')
			.setIssuedAt(NOW)
			.setExpirationTime(NOW + 60)
			.setJti('x')
			.sign(jwtKey)
		expect(await jwt.verify('toy-1', notDevice)).toBe('bad')
	})

	test('refuses a token issued before the device generation moved on (unpaired or revoked)', async () => {
		const { generations, jwt } = setup()
		const { token } = await jwt.issue('toy-1', 0)
		generations.table.set('toy-1', 1)
		expect(await jwt.verify('toy-1', token)).toBe('revoked')
		generations.table.delete('toy-1')
		expect(await jwt.verify('toy-1', token)).toBe('revoked')
	})
})

describe('device authentication with JWTs', () => {
	const POLICY = { allowLegacyTokens: true, tokenWindowSeconds: 120, nonceTtlSeconds: 600 }

	async function withAuth(run: (auth: DeviceAuthenticator, s: ReturnType<typeof setup>) => Promise<void>) {
		const s = setup()
		const nonces = new MemoryNonceStore({ now: () => s.clock.now * 1000 })
		const auth = new DeviceAuthenticator(fallbackCodec.createTokenVerifier(TEST_SECRET), nonces, POLICY, () => s.clock.now, s.jwt)
		try {
			await run(auth, s)
		} finally {
			await nonces.close()
		}
	}

	test('a JWT authenticates as kind jwt; v2 and legacy keep their kinds', () =>
		withAuth(async (auth, { jwt }) => {
			const { token } = await jwt.issue('toy-1', 0)
			expect(await auth.authenticate('toy-1', token)).toEqual({ ok: true, kind: 'jwt' })
			expect(await auth.authenticate('toy-1', v2Token('toy-1', TEST_SECRET, NOW))).toEqual({ ok: true, kind: 'v2' })
			expect(await auth.authenticate('toy-1', legacyToken('toy-1'))).toEqual({ ok: true, kind: 'legacy' })
		}))

	test('says why a JWT was refused', () =>
		withAuth(async (auth, { clock, generations, jwt }) => {
			const { token } = await jwt.issue('toy-1', 0)
			expect(await auth.authenticate('toy-2', token)).toMatchObject({ ok: false, reason: 'bad_token' })
			generations.table.set('toy-1', 3)
			expect(await auth.authenticate('toy-1', token)).toMatchObject({ ok: false, reason: 'revoked' })
			generations.table.set('toy-1', 0)
			clock.now += 31 * DAY
			expect(await auth.authenticate('toy-1', token)).toMatchObject({ ok: false, reason: 'jwt_expired' })
		}))
})
