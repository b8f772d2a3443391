import { createHmac, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../obs/logger'

// The parent side's server secret (AUTH_SECRET). In production it must come from the environment
// (config enforces it); the embedded default makes one once and keeps it in DATA_DIR (0600), like
// the device secret, so sessions survive a restart.
//
// ! It keys the email blind index and the audit pseudonyms as well as the access JWTs: changing it
// logs every parent out AND makes stored emails unfindable by login. Keep it like the encryption key.

export const AUTH_SECRET_FILE = 'auth_secret'

export function resolveAuthSecret(fromEnv: string | undefined, dataDir: string, log: Logger): string {
	if (fromEnv) return fromEnv
	const path = join(dataDir, AUTH_SECRET_FILE)
	if (existsSync(path)) {
		const secret = readFileSync(path, 'utf8').trim()
		if (/^[0-9a-f]{64}$/.test(secret)) return secret
		throw new Error(`${path} does not hold 64 hex characters; delete it to make a new secret (every parent is logged out)`)
	}
	mkdirSync(dataDir, { recursive: true })
	const secret = randomBytes(32).toString('hex')
	writeFileSync(path, `${secret}\n`, { mode: 0o600 })
	chmodSync(path, 0o600)
	log.warn({ path }, 'AUTH_SECRET unset: generated a development secret')
	return secret
}

/** The keys made from AUTH_SECRET, one per use, so no key ever serves two purposes. */
export interface AuthKeys {
	/** HS256 key of parent access JWTs. */
	accessJwt: Uint8Array
	/** CSRF tokens derived from a session id. */
	csrf: Uint8Array
	/** Blind index of email addresses. */
	emailIndex: Uint8Array
	/** Pseudonyms of ids in the audit log. */
	auditRef: Uint8Array
}

const derive = (secret: string, label: string) => new Uint8Array(createHmac('sha256', secret).update(`teddy-auth|${label}`).digest())

export function deriveAuthKeys(secret: string): AuthKeys {
	return {
		accessJwt: derive(secret, 'access-jwt'),
		csrf: derive(secret, 'csrf'),
		emailIndex: derive(secret, 'email-index'),
		auditRef: derive(secret, 'audit-ref'),
	}
}

/** Lower-cased and trimmed: the address a parent types in any case finds the same account. */
export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase()
}

export function emailIndexer(keys: AuthKeys): (email: string) => Uint8Array {
	return (email) => new Uint8Array(createHmac('sha256', keys.emailIndex).update(normalizeEmail(email)).digest())
}

export function auditPseudonymizer(keys: AuthKeys): (id: string) => string {
	return (id) => createHmac('sha256', keys.auditRef).update(id).digest('base64url').slice(0, 22)
}
