import { describe, expect, test } from 'bun:test'
import { createHmac, randomBytes } from 'node:crypto'
import { fallbackCodec } from '../../gateway/src/codec/fallback'
import { loadNativeCodec, nativeCodecLoadError } from '../../gateway/src/codec/native'
import type { TokenVerifier } from '../../gateway/src/codec/types'
import vectors from '../vectors/auth.json'
import { prng } from '../support/prng'

// Both token verifiers must give the same answer as PROTOCOL.md §1 and each other, on the shared
// vectors and on random and mutated input. A missing native build fails, never skips.

function nativeVerifier(secret: string): TokenVerifier {
	const codec = loadNativeCodec()
	if (!codec) throw new Error(`native module not built (run \`bun run build:native\`): ${String(nativeCodecLoadError())}`)
	return codec.createTokenVerifier(secret)
}

const verifiers: Array<[string, (secret: string) => TokenVerifier]> = [
	['fallback', (s) => fallbackCodec.createTokenVerifier(s)],
	['native', nativeVerifier],
]


const ID_CHARS = 'abcdefABCDEF0123456789:_.-xyzXYZ é|'
const TOKEN_CHARS = '0123456789abcdefABCDEF.v2xz -'

function randomString(rand: () => number, chars: string, maxLen: number): string {
	const len = Math.floor(rand() * (maxLen + 1))
	let s = ''
	for (let i = 0; i < len; i++) s += chars[Math.floor(rand() * chars.length)]
	return s
}

function makeV2(secret: string, deviceId: string, ts: string, nonce: string): string {
	const key = createHmac('sha256', secret).update(`teddy-device-key|${deviceId}`).digest()
	const sig = createHmac('sha256', key).update(`v2|${deviceId}|${ts}|${nonce}`).digest('hex')
	return `v2.${ts}.${nonce}.${sig}`
}

function makeLegacy(secret: string, deviceId: string): string {
	return createHmac('sha256', secret).update(deviceId).digest('hex')
}

function mutate(rand: () => number, token: string): string {
	const at = Math.floor(rand() * token.length)
	switch (Math.floor(rand() * 5)) {
		case 0: {
			// flip one character to another hex digit
			const c = token[at] === '0' ? '1' : '0'
			return token.slice(0, at) + c + token.slice(at + 1)
		}
		case 1:
			return token.slice(0, at) + token.slice(at + 1)
		case 2:
			return `${token.slice(0, at)}a${token.slice(at)}`
		case 3:
			return token.toUpperCase()
		default:
			return `${token} `
	}
}

describe.each(verifiers)('%s token verifier', (_name, make) => {
	test('accepts every legacy vector', () => {
		const v = make(vectors.secret)
		for (const c of vectors.cases) expect(v.verify(c.device_id, c.legacy_token)).toEqual({ kind: 'legacy' })
	})

	test('accepts every v2 vector with its ts and nonce', () => {
		const v = make(vectors.secret)
		for (const c of vectors.cases) {
			expect(v.verify(c.device_id, c.v2.token)).toEqual({ kind: 'v2', ts: c.v2.ts, nonce: c.v2.nonce })
		}
	})

	test.each(vectors.must_reject.map((r) => [r.why, r] as const))('rejects %s', (_why, r) => {
		expect(make(vectors.secret).verify(r.device_id, r.token)).toBeNull()
	})

	// An empty id would give every deployment one shared, guessable identity (native/core/src/token.rs).
	test('refuses correctly signed tokens for an empty device id', () => {
		const v = make(vectors.secret)
		expect(v.verify('', makeLegacy(vectors.secret, ''))).toBeNull()
		expect(v.verify('', makeV2(vectors.secret, '', '1767225600', 'a'.repeat(16)))).toBeNull()
	})

	test('refuses a vector token under another secret', () => {
		const v = make('0'.repeat(64))
		for (const c of vectors.cases) {
			expect(v.verify(c.device_id, c.legacy_token)).toBeNull()
			expect(v.verify(c.device_id, c.v2.token)).toBeNull()
		}
	})
})

describe('native and fallback verifiers agree', () => {
	const secret = vectors.secret
	const native = nativeVerifier(secret)
	const fallback = fallbackCodec.createTokenVerifier(secret)

	function expectSame(deviceId: string, token: string): void {
		const a = fallback.verify(deviceId, token)
		const b = native.verify(deviceId, token)
		if (JSON.stringify(a) !== JSON.stringify(b)) {
			throw new Error(`verifiers disagree on ${JSON.stringify({ deviceId, token })}: fallback ${JSON.stringify(a)}, native ${JSON.stringify(b)}`)
		}
	}

	test('on random device ids and random tokens', () => {
		const rand = prng(1)
		for (let i = 0; i < 300; i++) expectSame(randomString(rand, ID_CHARS, 24), randomString(rand, TOKEN_CHARS, 120))
	})

	test('on freshly signed tokens for random device ids', () => {
		const rand = prng(2)
		let accepted = 0
		for (let i = 0; i < 300; i++) {
			const id = randomString(rand, ID_CHARS, 24) || 'x'
			const nonce = randomBytes(8 + Math.floor(rand() * 9)).toString('hex')
			const v2 = makeV2(secret, id, String(1_700_000_000 + i), nonce)
			const legacy = makeLegacy(secret, id)
			expectSame(id, v2)
			expectSame(id, legacy)
			if (fallback.verify(id, v2)) accepted++
		}
		// the comparison is only meaningful if the valid tokens were in fact accepted
		expect(accepted).toBe(300)
	})

	test('on mutated valid tokens', () => {
		const rand = prng(3)
		for (let i = 0; i < 400; i++) {
			const c = vectors.cases[i % vectors.cases.length]
			const base = i % 2 === 0 ? c.v2.token : c.legacy_token
			const mutated = mutate(rand, base)
			expectSame(c.device_id, mutated)
			if (mutated !== base) expect(fallback.verify(c.device_id, mutated)).toBeNull()
		}
	})

	test('on edge-case timestamps and nonce lengths', () => {
		const id = 'Teddy-ESP32-001'
		const cases: Array<[string, string]> = [
			['0', 'a'.repeat(16)],
			['1'.repeat(12), 'a'.repeat(32)],
			['1'.repeat(13), 'a'.repeat(16)],
			['', 'a'.repeat(16)],
			['-5', 'a'.repeat(16)],
			['+5', 'a'.repeat(16)],
			['1767225600', 'a'.repeat(15)],
			['1767225600', 'a'.repeat(33)],
			['1767225600', 'g'.repeat(16)],
			['00001767225600', 'b'.repeat(20)],
		]
		for (const [ts, nonce] of cases) expectSame(id, makeV2(secret, id, ts, nonce))
		expectSame(id, `${makeV2(secret, id, '1767225600', 'a'.repeat(16))}.extra`)
	})
})
