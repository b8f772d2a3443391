import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { SignJWT } from 'jose'
import { connectRedis } from '../../gateway/src/store/redis'
import { requireEnv } from '../support/databases'
import {
	APP_URL,
	TEST_AUTH_SECRET,
	TEST_ENCRYPTION_KEY,
	call,
	expectError,
	json,
	PASSWORD,
	type ParentApp,
	signIn,
	signUp,
	startParentApp,
} from '../support/parent-app'
import { bodyOf, linkIn } from '../support/smtp-sink'

// Parent accounts over REST against a real PostgreSQL and a real SMTP sink: sign-up with a mailed
// link, sign-in, single-use refresh tokens with reuse detection, logout, password reset, address
// change, lockout, cookie sessions with their CSRF check.

let pa: ParentApp

beforeAll(async () => {
	pa = await startParentApp()
})
afterAll(async () => {
	await pa?.close()
})

const newEmail = () => `p-${crypto.randomUUID()}@example.test`
const newIp = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID().slice(0, 4)}`

async function linkToken(to: string, page: string): Promise<string> {
	const mail = await pa.sink.waitFor(to, new RegExp(page))
	return linkIn(mail, `${APP_URL}/${page}`).searchParams.get('token')!
}

function login(email: string, password = PASSWORD, extra: Record<string, unknown> = {}) {
	return call(pa, 'POST', '/api/v1/accounts/login', { body: { email, password, ...extra } })
}

describe('sign-up and sign-in', () => {
	test('a parent signs up, follows the mailed link into the app, and signs in', async () => {
		const email = newEmail()
		const r = await call(pa, 'POST', '/api/v1/accounts/register', { body: { email, password: PASSWORD } })
		expect(r.status).toBe(202)
		// the link points into the parent app, which posts its token back
		const token = await linkToken(email, 'verify-email')
		expect((await call(pa, 'POST', '/api/v1/accounts/verify-email', { body: { token } })).status).toBe(200)
		const s = await signIn(pa, email)
		const me = await json(await call(pa, 'GET', '/api/v1/accounts/me', { token: s.token }))
		expect(me).toMatchObject({ email, role: 'parent', email_verified: true })
		expect(typeof me.family_id).toBe('string')
	})

	test('sign-in waits for the confirmed address; a wrong password is 401 either way', async () => {
		const email = newEmail()
		await call(pa, 'POST', '/api/v1/accounts/register', { body: { email, password: PASSWORD } })
		await expectError(await login(email), 403, 'EMAIL_NOT_VERIFIED')
		await expectError(await login(email, 'wrong password 123'), 401, 'UNAUTHORIZED')
	})

	test('signing up with a taken address answers the same and mails the owner; no second account', async () => {
		const first = await signUp(pa)
		const families = async () => (await pa.sql<{ n: number }[]>`select count(*)::int as n from families`)[0]!.n
		const before = await families()
		const r = await call(pa, 'POST', '/api/v1/accounts/register', { body: { email: first.email, password: 'another password 1' } })
		expect(r.status).toBe(202)
		const mails = await pa.sink.waitFor(first.email, /already has one/)
		expect(bodyOf(mails)).toContain('forgot-password')
		await expectError(await login(first.email, 'another password 1'), 401, 'UNAUTHORIZED')
		expect((await login(first.email)).status).toBe(200)
		// the household made for the refused sign-up was rolled back with it
		expect(await families()).toBe(before)
	})

	test('a mailed link works once; an unknown one is refused', async () => {
		const email = newEmail()
		await call(pa, 'POST', '/api/v1/accounts/register', { body: { email, password: PASSWORD } })
		const token = await linkToken(email, 'verify-email')
		expect((await call(pa, 'POST', '/api/v1/accounts/verify-email', { body: { token } })).status).toBe(200)
		await expectError(await call(pa, 'POST', '/api/v1/accounts/verify-email', { body: { token } }), 400, 'LINK_INVALID')
		await expectError(await call(pa, 'POST', '/api/v1/accounts/verify-email', { body: { token: 'x'.repeat(43) } }), 400, 'LINK_INVALID')
	})

	test('bad bodies are 400 with a code', async () => {
		await expectError(await call(pa, 'POST', '/api/v1/accounts/register', { body: { email: 'not-an-email', password: PASSWORD } }), 400, 'BAD_REQUEST')
		await expectError(await call(pa, 'POST', '/api/v1/accounts/register', { body: { email: newEmail(), password: 'short' } }), 400, 'BAD_REQUEST')
	})

	test('the address is stored encrypted and indexed by a keyed hash, never in clear', async () => {
		const s = await signUp(pa)
		const [row] = await pa.sql<{ email_ciphertext: Uint8Array; email_index: Uint8Array; password_hash: string }[]>`
			select email_ciphertext, email_index, password_hash from parents where id = ${s.parentId}
		`
		expect(Buffer.from(row!.email_ciphertext).toString('latin1')).not.toContain(s.email)
		const plainHash = new Bun.CryptoHasher('sha256').update(s.email).digest()
		expect(Buffer.from(row!.email_index).equals(plainHash)).toBe(false)
		expect(row!.password_hash).toStartWith('$argon2id$')
		// the family's alert address follows the verified account address
		const [fam] = await pa.sql<{ parent_email_ciphertext: Uint8Array | null }[]>`select parent_email_ciphertext from families where id = ${s.familyId}`
		expect(fam!.parent_email_ciphertext).not.toBeNull()
	})
})

describe('sessions', () => {
	test('a refresh token works once and returns the next', async () => {
		const s = await signUp(pa)
		const r1 = await json<{ access_token: string; refresh_token: string }>(
			await call(pa, 'POST', '/api/v1/accounts/refresh', { body: { refresh_token: s.refresh } }),
		)
		expect(r1.refresh_token).not.toBe(s.refresh)
		expect((await call(pa, 'GET', '/api/v1/accounts/me', { token: r1.access_token })).status).toBe(200)
		const r2 = await call(pa, 'POST', '/api/v1/accounts/refresh', { body: { refresh_token: r1.refresh_token } })
		expect(r2.status).toBe(200)
	})

	test('a used refresh token presented again ends the whole session', async () => {
		const s = await signUp(pa)
		const rotated = await json<{ access_token: string; refresh_token: string }>(
			await call(pa, 'POST', '/api/v1/accounts/refresh', { body: { refresh_token: s.refresh } }),
		)
		// a thief replays the old one
		await expectError(await call(pa, 'POST', '/api/v1/accounts/refresh', { body: { refresh_token: s.refresh } }), 401, 'UNAUTHORIZED')
		// and the rightful holder's newer tokens are dead too
		await expectError(await call(pa, 'POST', '/api/v1/accounts/refresh', { body: { refresh_token: rotated.refresh_token } }), 401, 'UNAUTHORIZED')
		await expectError(await call(pa, 'GET', '/api/v1/accounts/me', { token: rotated.access_token }), 401, 'UNAUTHORIZED')
		await expectError(await call(pa, 'GET', '/api/v1/accounts/me', { token: s.token }), 401, 'UNAUTHORIZED')
	})

	test('logout ends this session at once; everywhere ends every session', async () => {
		const a = await signUp(pa)
		const b = await signIn(pa, a.email)
		const c = await signIn(pa, a.email)
		expect((await call(pa, 'POST', '/api/v1/accounts/logout', { token: a.token, body: {} })).status).toBe(200)
		await expectError(await call(pa, 'GET', '/api/v1/accounts/me', { token: a.token }), 401, 'UNAUTHORIZED')
		await expectError(await call(pa, 'POST', '/api/v1/accounts/refresh', { body: { refresh_token: a.refresh } }), 401, 'UNAUTHORIZED')
		expect((await call(pa, 'GET', '/api/v1/accounts/me', { token: b.token })).status).toBe(200)
		expect((await call(pa, 'POST', '/api/v1/accounts/logout', { token: b.token, body: { everywhere: true } })).status).toBe(200)
		await expectError(await call(pa, 'GET', '/api/v1/accounts/me', { token: c.token }), 401, 'UNAUTHORIZED')
		await expectError(await call(pa, 'POST', '/api/v1/accounts/refresh', { body: { refresh_token: c.refresh } }), 401, 'UNAUTHORIZED')
	})

	test('forged, re-signed and unsigned tokens are refused', async () => {
		const s = await signUp(pa)
		const [h, p] = s.token.split('.')
		const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`
		await expectError(await call(pa, 'GET', '/api/v1/accounts/me', { token: none }), 401, 'UNAUTHORIZED')
		const otherKey = await new SignJWT(JSON.parse(Buffer.from(p!, 'base64url').toString()))
			.setProtectedHeader({ alg: 'HS256' })
			.sign(new Uint8Array(32).fill(7))
		await expectError(await call(pa, 'GET', '/api/v1/accounts/me', { token: otherKey }), 401, 'UNAUTHORIZED')
		await expectError(await call(pa, 'GET', '/api/v1/accounts/me', { token: `${h}.${p}.AAAA` }), 401, 'UNAUTHORIZED')
		await expectError(await call(pa, 'GET', '/api/v1/accounts/me'), 401, 'UNAUTHORIZED')
	})
})

describe('password and address', () => {
	test('forgot + reset by mail: new password works, old sessions end, the link works once', async () => {
		const s = await signUp(pa)
		expect((await call(pa, 'POST', '/api/v1/accounts/password/forgot', { body: { email: s.email } })).status).toBe(202)
		const token = await linkToken(s.email, 'reset-password')
		const newPassword = 'a brand new passphrase'
		expect((await call(pa, 'POST', '/api/v1/accounts/password/reset', { body: { token, password: newPassword } })).status).toBe(200)
		await expectError(await call(pa, 'GET', '/api/v1/accounts/me', { token: s.token }), 401, 'UNAUTHORIZED')
		await expectError(await login(s.email), 401, 'UNAUTHORIZED')
		expect((await login(s.email, newPassword)).status).toBe(200)
		await expectError(await call(pa, 'POST', '/api/v1/accounts/password/reset', { body: { token, password: 'yet another one 1' } }), 400, 'LINK_INVALID')
		await pa.sink.waitFor(s.email, /password of your Teddy parent account was just changed/)
	})

	test('forgot for an unknown address answers the same and mails nobody', async () => {
		const email = newEmail()
		expect((await call(pa, 'POST', '/api/v1/accounts/password/forgot', { body: { email } })).status).toBe(202)
		await Bun.sleep(200)
		expect(pa.sink.messages.some((m) => m.to.some((t) => t.includes(email)))).toBe(false)
	})

	test('an address change is confirmed from the new address; the old one is told', async () => {
		const s = await signUp(pa)
		const next = newEmail()
		await expectError(await call(pa, 'POST', '/api/v1/accounts/email/change', { token: s.token, body: { new_email: next, password: 'wrong one 12345' } }), 401, 'UNAUTHORIZED')
		expect((await call(pa, 'POST', '/api/v1/accounts/email/change', { token: s.token, body: { new_email: next, password: PASSWORD } })).status).toBe(202)
		const token = await linkToken(next, 'confirm-email')
		expect((await call(pa, 'POST', '/api/v1/accounts/email/confirm', { body: { token } })).status).toBe(200)
		expect((await login(next)).status).toBe(200)
		await expectError(await login(s.email), 401, 'UNAUTHORIZED')
		await pa.sink.waitFor(s.email, /now uses/)
	})

	test('an address another account took meanwhile is 409', async () => {
		const a = await signUp(pa)
		const b = await signUp(pa)
		expect((await call(pa, 'POST', '/api/v1/accounts/email/change', { token: a.token, body: { new_email: b.email, password: PASSWORD } })).status).toBe(202)
		const mail = await pa.sink.waitFor(b.email, /confirm-email/)
		const token = linkIn(mail, `${APP_URL}/confirm-email`).searchParams.get('token')
		await expectError(await call(pa, 'POST', '/api/v1/accounts/email/confirm', { body: { token } }), 409, 'CONFLICT')
	})
})

function lockoutSuite(name: string, withRedis: boolean) {
	describe(name, () => {
		let app: ParentApp
		beforeAll(async () => {
			app = await startParentApp({
				redis: withRedis ? connectRedis(requireEnv('TEST_REDIS_URL')) : undefined,
				env: { LOCKOUT_ACCOUNT_FAILURES: '3', LOCKOUT_IP_FAILURES: '6', LOCKOUT_MINUTES: '1' },
			})
		})
		afterAll(async () => {
			await app?.close()
		})
		const attempt = (email: string, password: string) => call(app, 'POST', '/api/v1/accounts/login', { body: { email, password } })

		test('an account locks after repeated failures, even for the right password, with Retry-After', async () => {
			app.ip.value = newIp()
			const s = await signUp(app)
			for (let i = 0; i < 3; i++) await expectError(await attempt(s.email, `wrong password ${i}`), 401, 'UNAUTHORIZED')
			const locked = await attempt(s.email, PASSWORD)
			expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
			await expectError(locked, 429, 'ACCOUNT_LOCKED')
			// from another address too: the lock is on the account
			app.ip.value = newIp()
			await expectError(await attempt(s.email, PASSWORD), 429, 'ACCOUNT_LOCKED')
			// another account is unaffected
			const other = await signUp(app)
			expect((await attempt(other.email, PASSWORD)).status).toBe(200)
		})

		test('a client address locks after failures across many accounts', async () => {
			app.ip.value = newIp()
			const victim = await signUp(app)
			for (let i = 0; i < 6; i++) await expectError(await attempt(newEmail(), 'guessing 12345'), 401, 'UNAUTHORIZED')
			await expectError(await attempt(victim.email, PASSWORD), 429, 'ACCOUNT_LOCKED')
			app.ip.value = newIp()
			expect((await attempt(victim.email, PASSWORD)).status).toBe(200)
		})

		test('a success clears the account’s count', async () => {
			app.ip.value = newIp()
			const s = await signUp(app)
			for (let i = 0; i < 2; i++) await attempt(s.email, 'wrong password x')
			expect((await attempt(s.email, PASSWORD)).status).toBe(200)
			for (let i = 0; i < 2; i++) await attempt(s.email, 'wrong password y')
			expect((await attempt(s.email, PASSWORD)).status).toBe(200)
		})
	})
}

lockoutSuite('lockout (in process)', false)
lockoutSuite('lockout (Redis)', true)

describe('cookie sessions', () => {
	function cookiesOf(r: Response): Record<string, string> {
		const out: Record<string, string> = {}
		for (const c of r.headers.getSetCookie()) {
			const [pair, ...attrs] = c.split(';')
			const [k, v] = pair!.split('=')
			out[k!.trim()] = `${v}|${attrs.join(';')}`
		}
		return out
	}

	test('cookie sign-in: httpOnly Secure SameSite cookies, no tokens in the body, CSRF on unsafe methods', async () => {
		const s = await signUp(pa)
		const r = await login(s.email, PASSWORD, { cookie: true })
		expect(r.status).toBe(200)
		const body = await json(r)
		expect(body.access_token).toBeUndefined()
		expect(body.refresh_token).toBeUndefined()
		const jar = cookiesOf(r)
		const [access, accessAttrs] = jar.teddy_access!.split('|')
		expect(accessAttrs).toMatch(/HttpOnly/i)
		expect(accessAttrs).toMatch(/SameSite=Strict/i)
		expect(accessAttrs).toMatch(/Secure/i)
		const [refresh, refreshAttrs] = jar.teddy_refresh!.split('|')
		expect(refreshAttrs).toMatch(/HttpOnly/i)
		const [csrf, csrfAttrs] = jar.teddy_csrf!.split('|')
		expect(csrfAttrs).not.toMatch(/HttpOnly/i)
		expect(csrf).toBe(body.csrf_token as string)

		const cookie = `teddy_access=${access}; teddy_csrf=${csrf}`
		expect((await call(pa, 'GET', '/api/v1/accounts/me', { headers: { cookie } })).status).toBe(200)
		// a foreign page can make the browser send the cookie, but cannot know the CSRF token
		await expectError(await call(pa, 'POST', '/api/v1/accounts/logout', { headers: { cookie }, body: {} }), 403, 'CSRF_FAILED')
		await expectError(
			await call(pa, 'POST', '/api/v1/accounts/logout', { headers: { cookie, 'x-csrf-token': 'x'.repeat(43) }, body: {} }),
			403,
			'CSRF_FAILED',
		)
		// refresh by cookie needs it too
		const refreshCookie = `teddy_refresh=${refresh}`
		await expectError(await call(pa, 'POST', '/api/v1/accounts/refresh', { headers: { cookie: refreshCookie }, body: {} }), 403, 'CSRF_FAILED')
		const refreshed = await call(pa, 'POST', '/api/v1/accounts/refresh', { headers: { cookie: refreshCookie, 'x-csrf-token': csrf! }, body: {} })
		expect(refreshed.status).toBe(200)
		expect(cookiesOf(refreshed).teddy_refresh).toBeDefined()
		const out = await call(pa, 'POST', '/api/v1/accounts/logout', { headers: { cookie, 'x-csrf-token': csrf! }, body: {} })
		expect(out.status).toBe(200)
		expect(out.headers.getSetCookie().join('\n')).toMatch(/teddy_access=;/)
		await expectError(await call(pa, 'GET', '/api/v1/accounts/me', { headers: { cookie } }), 401, 'UNAUTHORIZED')
	})
})

describe('operators', () => {
	async function operatorCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
		const proc = Bun.spawn(['bun', 'scripts/operator.ts', ...args], {
			cwd: `${import.meta.dir}/../..`,
			env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: pa.db.url, AUTH_SECRET: TEST_AUTH_SECRET, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: 'warn' },
			stdout: 'pipe',
			stderr: 'pipe',
		})
		const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
		return { code, out, err }
	}

	test('the CLI makes an operator, who signs in as an operator and cannot act as a parent', async () => {
		const email = newEmail()
		const made = await operatorCli('create', email)
		expect(made.code).toBe(0)
		const password = /password: (\S+)/.exec(made.out)![1]!
		const r = await login(email, password)
		expect(r.status).toBe(200)
		const body = await json<{ access_token: string; role: string }>(r)
		expect(body.role).toBe('operator')
		const me = await json(await call(pa, 'GET', '/api/v1/accounts/me', { token: body.access_token }))
		expect(me).toMatchObject({ role: 'operator', family_id: null })
		await expectError(
			await call(pa, 'POST', '/api/v1/accounts/email/change', { token: body.access_token, body: { new_email: newEmail(), password } }),
			403,
			'FORBIDDEN',
		)
		expect((await operatorCli('create', email)).code).toBe(1)
		expect((await operatorCli('promote', email)).code).toBe(64)
	})
})

test('sign-ups with a taken address do not flood its owner’s inbox', async () => {
	const owner = await signUp(pa)
	for (let i = 0; i < 6; i++) {
		expect((await call(pa, 'POST', '/api/v1/accounts/register', { body: { email: owner.email, password: `another password ${i}` } })).status).toBe(202)
	}
	await Bun.sleep(300)
	const mails = pa.sink.messages.filter((m) => m.to.some((t) => t.includes(owner.email)) && bodyOf(m).includes('already has one'))
	expect(mails.length).toBe(3)
})
