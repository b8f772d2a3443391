import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto'

// The release public keys (FIRMWARE_PUBLIC_KEYS): an uploaded image is accepted only when its
// signature — Ed25519 over the image's SHA-256 digest, the 32 raw bytes, as the toy checks it
// (firmware/README.md "OTA") — verifies under one of them. The private key never reaches the
// gateway (scripts/sign-firmware.ts signs elsewhere).

// DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 key bytes follow.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export interface ReleaseKey {
	id: string
	key: KeyObject
}

export function decodeKey(text: string): Buffer {
	return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64')
}

export class ReleaseKeys {
	private readonly keys: ReleaseKey[]

	constructor(texts: readonly string[]) {
		this.keys = texts.map((t) => {
			const raw = decodeKey(t)
			return {
				id: createHash('sha256').update(raw).digest('hex').slice(0, 16),
				key: createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' }),
			}
		})
	}

	get size(): number {
		return this.keys.length
	}

	/** The id of the key the signature verifies under, or null. */
	verify(digest: Uint8Array, signature: Uint8Array): string | null {
		if (signature.length !== 64) return null
		for (const k of this.keys) if (verify(null, digest, k.key, signature)) return k.id
		return null
	}
}
