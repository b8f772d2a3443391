import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { log } from '../obs/logger'

const KEY_BYTES = 32
const NONCE_BYTES = 12
const TAG_BYTES = 16

export interface Sealed {
	// GCM ciphertext with the 16-byte auth tag appended
	ciphertext: Uint8Array
	nonce: Uint8Array
	keyId: string
}

export class EncryptionKeyError extends Error {
	override name = 'EncryptionKeyError'
}

export class DecryptionError extends Error {
	override name = 'DecryptionError'
}

// Stored beside every row so the right key can be found after a rotation; it reveals nothing usable.
export function keyIdOf(key: Uint8Array): string {
	return createHash('sha256').update(key).digest('hex').slice(0, 16)
}

// AES-256-GCM for columns that must not be readable from a database dump (names, transcripts).
// Callers pass the row's identity as AAD so a ciphertext copied onto another row fails to open.
export class FieldCipher {
	readonly keyId: string
	private readonly current: Buffer
	private readonly keys = new Map<string, Buffer>()

	constructor(current: Uint8Array, older: Uint8Array[] = []) {
		for (const key of [current, ...older]) {
			if (key.length !== KEY_BYTES) throw new EncryptionKeyError(`encryption keys must be ${KEY_BYTES} bytes`)
			this.keys.set(keyIdOf(key), Buffer.from(key))
		}
		this.current = Buffer.from(current)
		this.keyId = keyIdOf(current)
	}

	/** True when older keys are configured: rows sealed with them should move to the current key. */
	get hasOlderKeys(): boolean {
		return this.keys.size > 1
	}

	encrypt(plaintext: string, aad?: string): Sealed {
		const nonce = randomBytes(NONCE_BYTES)
		const cipher = createCipheriv('aes-256-gcm', this.current, nonce)
		if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'))
		const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
		return { ciphertext: new Uint8Array(body), nonce: new Uint8Array(nonce), keyId: this.keyId }
	}

	decrypt(sealed: Sealed, aad?: string): string {
		const key = this.keys.get(sealed.keyId)
		if (!key) throw new DecryptionError(`no encryption key with id ${sealed.keyId} (set it in ENCRYPTION_KEYS_OLD)`)
		if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) {
			throw new DecryptionError('malformed ciphertext')
		}
		const body = Buffer.from(sealed.ciphertext)
		const split = body.length - TAG_BYTES
		try {
			const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce))
			decipher.setAuthTag(body.subarray(split))
			if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'))
			return Buffer.concat([decipher.update(body.subarray(0, split)), decipher.final()]).toString('utf8')
		} catch {
			// the cause is always "tag mismatch": tampered, wrong row (AAD) or wrong key
			throw new DecryptionError(`ciphertext failed authentication (key ${sealed.keyId})`)
		}
	}
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}$/

// Accepts 64 hex characters or base64 (standard or url-safe) of exactly 32 bytes. The error never
// repeats the value: it is a secret.
export function parseEncryptionKey(value: string, name = 'ENCRYPTION_KEY'): Buffer {
	const v = value.trim()
	if (HEX_KEY.test(v)) return Buffer.from(v, 'hex')
	if (BASE64_KEY.test(v)) {
		const key = Buffer.from(v, v.includes('-') || v.includes('_') ? 'base64url' : 'base64')
		if (key.length === KEY_BYTES) return key
	}
	throw new EncryptionKeyError(
		`${name} must be 64 hex characters or base64 of 32 bytes (got ${v.length} characters); generate one with: openssl rand -hex 32`,
	)
}

export function parseOldEncryptionKeys(value: string | undefined): Buffer[] {
	if (!value?.trim()) return []
	return value
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean)
		.map((s, i) => parseEncryptionKey(s, `ENCRYPTION_KEYS_OLD[${i}]`))
}

export interface LoadEncryptionKeyOptions {
	envValue: string | undefined
	dataDir: string
	production: boolean
}

export const KEY_FILE_NAME = 'encryption.key'

// Without a configured key the embedded default still encrypts, with a key kept beside the data
// so that a restart can read yesterday's transcripts. Production must bring its own key.
export function loadEncryptionKey(opts: LoadEncryptionKeyOptions): Buffer {
	if (opts.envValue?.trim()) return parseEncryptionKey(opts.envValue)
	if (opts.production) {
		throw new EncryptionKeyError('ENCRYPTION_KEY is required when NODE_ENV=production (openssl rand -hex 32)')
	}
	const file = join(opts.dataDir, KEY_FILE_NAME)
	mkdirSync(opts.dataDir, { recursive: true })
	const generated = randomBytes(KEY_BYTES).toString('hex')
	// written aside then hard-linked into place: the link is atomic and fails if the file exists, so
	// two processes starting together agree on one key and neither reads a half-written file
	const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
	writeFileSync(temp, `${generated}\n`, { mode: 0o600, flag: 'wx' })
	try {
		linkSync(temp, file)
		log.warn({ file }, 'ENCRYPTION_KEY is not set: generated a key and saved it; back it up or set ENCRYPTION_KEY')
		return Buffer.from(generated, 'hex')
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
	} finally {
		unlinkSync(temp)
	}
	// a key file another user can read defeats the point of encrypting
	chmodSync(file, 0o600)
	log.warn({ file }, 'ENCRYPTION_KEY is not set: using the key saved in the data directory')
	return parseEncryptionKey(readFileSync(file, 'utf8'), file)
}

export interface CipherEnv {
	ENCRYPTION_KEY?: string
	ENCRYPTION_KEYS_OLD?: string
	NODE_ENV?: string
}

export function loadFieldCipher(env: CipherEnv, dataDir: string): FieldCipher {
	const key = loadEncryptionKey({ envValue: env.ENCRYPTION_KEY, dataDir, production: env.NODE_ENV === 'production' })
	return new FieldCipher(key, parseOldEncryptionKeys(env.ENCRYPTION_KEYS_OLD))
}
