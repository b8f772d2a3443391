import { afterAll, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
	DecryptionError,
	EncryptionKeyError,
	FieldCipher,
	keyIdOf,
	loadEncryptionKey,
	parseEncryptionKey,
	parseOldEncryptionKeys,
} from '../../gateway/src/store/crypto'

const tempDirs: string[] = []
const tempDir = () => {
	const dir = mkdtempSync(join(tmpdir(), 'teddy-key-'))
	tempDirs.push(dir)
	return dir
}
afterAll(() => {
	for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

describe('FieldCipher', () => {
	const cipher = new FieldCipher(randomBytes(32))

	test('round-trips text with a fresh 12-byte nonce each time', () => {
		const a = cipher.encrypt('Hello, bear 🧸', 'row-1')
		const b = cipher.encrypt('Hello, bear 🧸', 'row-1')
		expect(a.nonce).toHaveLength(12)
		expect(Buffer.from(a.nonce).equals(Buffer.from(b.nonce))).toBe(false)
		expect(a.keyId).toMatch(/^[0-9a-f]{16}$/)
		expect(cipher.decrypt(a, 'row-1')).toBe('Hello, bear 🧸')
	})

	test('rejects a tampered ciphertext', () => {
		const sealed = cipher.encrypt('bedtime story', 'row-1')
		const flipped = Uint8Array.from(sealed.ciphertext)
		flipped[0]! ^= 1
		expect(() => cipher.decrypt({ ...sealed, ciphertext: flipped }, 'row-1')).toThrow(DecryptionError)
		const tag = Uint8Array.from(sealed.ciphertext)
		tag[tag.length - 1]! ^= 1
		expect(() => cipher.decrypt({ ...sealed, ciphertext: tag }, 'row-1')).toThrow(DecryptionError)
		expect(() => cipher.decrypt({ ...sealed, ciphertext: sealed.ciphertext.slice(0, 4) }, 'row-1')).toThrow(DecryptionError)
	})

	test('rejects a ciphertext presented for another row', () => {
		const sealed = cipher.encrypt('bedtime story', 'row-1')
		expect(() => cipher.decrypt(sealed, 'row-2')).toThrow(DecryptionError)
		expect(() => cipher.decrypt(sealed)).toThrow(DecryptionError)
	})

	test('reads rows sealed with an older key after rotation', () => {
		const oldKey = randomBytes(32)
		const sealed = new FieldCipher(oldKey).encrypt('from last year', 'r')
		const rotated = new FieldCipher(randomBytes(32), [oldKey])
		expect(rotated.decrypt(sealed, 'r')).toBe('from last year')
		expect(rotated.encrypt('new', 'r').keyId).toBe(rotated.keyId)
		expect(() => new FieldCipher(randomBytes(32)).decrypt(sealed, 'r')).toThrow(`no encryption key with id ${keyIdOf(oldKey)}`)
	})
})

describe('encryption keys', () => {
	const key = randomBytes(32)

	test('accepts 64 hex characters or base64 of 32 bytes', () => {
		expect(parseEncryptionKey(key.toString('hex'))).toEqual(key)
		expect(parseEncryptionKey(key.toString('hex').toUpperCase())).toEqual(key)
		expect(parseEncryptionKey(key.toString('base64'))).toEqual(key)
		expect(parseEncryptionKey(key.toString('base64url'))).toEqual(key)
		expect(parseOldEncryptionKeys(` ${key.toString('hex')} , ${key.toString('base64')}`)).toEqual([key, key])
	})

	test('rejects anything else without echoing the value', () => {
		const bad = ['', 'secret', key.toString('hex').slice(2), `${key.toString('hex')}00`, randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), `${key.toString('hex').slice(1)}g`]
		for (const value of bad) {
			expect(() => parseEncryptionKey(value)).toThrow(EncryptionKeyError)
		}
		expect(() => parseEncryptionKey('hunter2hunter2')).not.toThrow('hunter2')
		expect(() => loadEncryptionKey({ envValue: 'nope', dataDir: tempDir(), production: false })).toThrow(
			'ENCRYPTION_KEY must be 64 hex characters or base64 of 32 bytes',
		)
		expect(() => parseOldEncryptionKeys(`${key.toString('hex')},bad`)).toThrow('ENCRYPTION_KEYS_OLD[1]')
	})

	test('is required in production', () => {
		expect(() => loadEncryptionKey({ envValue: undefined, dataDir: tempDir(), production: true })).toThrow(
			'ENCRYPTION_KEY is required',
		)
	})

	test('generates, persists (0600) and reuses a key when unset outside production', () => {
		const dataDir = join(tempDir(), 'nested')
		const first = loadEncryptionKey({ envValue: undefined, dataDir, production: false })
		const file = join(dataDir, 'encryption.key')
		expect(statSync(file).mode & 0o777).toBe(0o600)
		expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'))
		expect(loadEncryptionKey({ envValue: '', dataDir, production: false })).toEqual(first)
		// a configured key always wins over the file
		expect(loadEncryptionKey({ envValue: key.toString('hex'), dataDir, production: false })).toEqual(key)
	})
})
