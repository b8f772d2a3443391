import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../obs/logger'

// The fleet secret. In production it must come from ESP32_SHARED_SECRET (config enforces it);
// on the embedded default one is made once and kept in DATA_DIR so the simulator and a dev's
// toys can read it and it survives restarts.

export const SECRET_FILE = 'esp32_shared_secret'

export function resolveSharedSecret(fromEnv: string | undefined, dataDir: string, log: Logger): string {
	if (fromEnv) return fromEnv
	const path = join(dataDir, SECRET_FILE)
	if (existsSync(path)) {
		const secret = readFileSync(path, 'utf8').trim()
		if (/^[0-9a-f]{64}$/.test(secret)) return secret
		throw new Error(`${path} does not hold 64 hex characters; delete it to make a new secret`)
	}
	mkdirSync(dataDir, { recursive: true })
	const secret = randomBytes(32).toString('hex')
	writeFileSync(path, `${secret}\n`, { mode: 0o600 })
	chmodSync(path, 0o600)
	log.warn({ path }, 'ESP32_SHARED_SECRET unset: generated a development secret')
	return secret
}
