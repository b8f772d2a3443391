// Device tokens as a toy makes them (PROTOCOL.md §1), for the simulator and tests. Written from
// the protocol text with node:crypto, independently of the gateway's verifier, so a shared
// misreading of the spec cannot pass unnoticed.

import { createHmac, randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The per-device key burned into a toy: HMAC(secret as text, "teddy-device-key|" + id), 32 raw bytes. */
export function deviceKey(secret: string, deviceId: string): Buffer {
	return createHmac('sha256', secret).update(`teddy-device-key|${deviceId}`).digest()
}

export interface V2TokenOptions {
	/** Unix seconds; default now. */
	ts?: number
	/** 16–32 lowercase hex; default 16 random bytes (32 hex). */
	nonce?: string
}

/** `v2.<ts>.<nonce>.<sig>`, signed with the device key. */
export function makeV2Token(secret: string, deviceId: string, opts: V2TokenOptions = {}): string {
	const ts = opts.ts ?? Math.floor(Date.now() / 1000)
	const nonce = opts.nonce ?? randomBytes(16).toString('hex')
	const sig = createHmac('sha256', deviceKey(secret, deviceId)).update(`v2|${deviceId}|${ts}|${nonce}`).digest('hex')
	return `v2.${ts}.${nonce}.${sig}`
}

/** The seed firmware's static token: hex(HMAC(secret, device_id)). Replayable; gateways may refuse it. */
export function makeLegacyToken(secret: string, deviceId: string): string {
	return createHmac('sha256', secret).update(deviceId).digest('hex')
}

/**
 * The fleet secret the simulator signs with: `ESP32_SHARED_SECRET`, else the file the embedded
 * gateway writes at `<DATA_DIR or ./data>/esp32_shared_secret`.
 */
export function loadSharedSecret(env: Record<string, string | undefined> = process.env): string {
	const fromEnv = env.ESP32_SHARED_SECRET?.trim()
	if (fromEnv) return fromEnv
	const path = join(env.DATA_DIR || './data', 'esp32_shared_secret')
	if (!existsSync(path)) {
		throw new Error(`no shared secret: set ESP32_SHARED_SECRET or start the gateway once so it writes ${path}`)
	}
	return readFileSync(path, 'utf8').trim()
}
