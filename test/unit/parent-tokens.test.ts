import { describe, expect, test } from 'bun:test'
import { deriveAuthKeys, emailIndexer } from '../../gateway/src/auth/auth-secret'
import { AccessTokens } from '../../gateway/src/auth/parent-tokens'

// Parent access tokens: what they carry, when they stop working, and the CSRF token of a session.

const keys = deriveAuthKeys('c3'.repeat(32))
const claims = { parentId: crypto.randomUUID(), familyId: crypto.randomUUID(), role: 'parent' as const, sessionId: crypto.randomUUID() }

describe('access tokens', () => {
	test('round-trips its claims until it expires', async () => {
		let now = 1_000_000
		const tokens = new AccessTokens(keys, 900, () => now)
		const { token, expiresIn } = await tokens.issue(claims)
		expect(expiresIn).toBe(900)
		expect(await tokens.verify(token)).toEqual(claims)
		now += 901
		expect(await tokens.verify(token)).toBe('expired')
	})

	test('a token from another secret, or mangled, is bad', async () => {
		const mine = new AccessTokens(keys, 900)
		const theirs = new AccessTokens(deriveAuthKeys('d4'.repeat(32)), 900)
		expect(await mine.verify((await theirs.issue(claims)).token)).toBe('bad')
		expect(await mine.verify('eyJhbGciOiJub25lIn0.e30.')).toBe('bad')
		expect(await mine.verify('not a jwt')).toBe('bad')
	})

	test('the CSRF token is bound to the session and to the secret', () => {
		const tokens = new AccessTokens(keys, 900)
		const csrf = tokens.csrfToken(claims.sessionId)
		expect(tokens.csrfMatches(claims.sessionId, csrf)).toBe(true)
		expect(tokens.csrfMatches(crypto.randomUUID(), csrf)).toBe(false)
		expect(tokens.csrfMatches(claims.sessionId, undefined)).toBe(false)
		expect(new AccessTokens(deriveAuthKeys('d4'.repeat(32)), 900).csrfMatches(claims.sessionId, csrf)).toBe(false)
	})

	test('the email index ignores case and spaces but depends on the secret', () => {
		const a = emailIndexer(keys)
		expect(Buffer.from(a(' Parent@Example.TEST ')).equals(Buffer.from(a('parent@example.test')))).toBe(true)
		expect(Buffer.from(emailIndexer(deriveAuthKeys('d4'.repeat(32)))('parent@example.test')).equals(Buffer.from(a('parent@example.test')))).toBe(false)
	})
})
