// Signs firmware images for the gateway's OTA channel, on the release machine — never on the
// gateway, which holds only the public key (FIRMWARE_PUBLIC_KEYS) and checks every upload with it.
//   bun scripts/sign-firmware.ts keygen <private-key.pem>     new Ed25519 key (0600); prints the public key
//   bun scripts/sign-firmware.ts public <private-key.pem>     prints the public key (hex, for FIRMWARE_PUBLIC_KEYS
//                                                             and the firmware's CONFIG_TEDDY_OTA_PUBLIC_KEY)
//   bun scripts/sign-firmware.ts sign <private-key.pem> <image.bin>
//                                                             prints the signature: base64 Ed25519 over the
//                                                             image's SHA-256 digest (32 raw bytes), the
//                                                             convention the toy verifies (firmware/README.md)
// Publishing: PUT /api/v1/operator/firmware/<model>/<version> with the image as the body and the
// signature in X-Firmware-Signature (an operator's access token), e.g. with curl --data-binary.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

const USAGE = 'usage: bun scripts/sign-firmware.ts keygen <key.pem> | public <key.pem> | sign <key.pem> <image.bin>'

/** The 32 raw bytes of an Ed25519 public key (the tail of its SubjectPublicKeyInfo). */
export function rawPublicKey(key: KeyObject): Buffer {
	return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32)
}

export function signImage(privateKey: KeyObject, image: Uint8Array): string {
	const digest = createHash('sha256').update(image).digest()
	return sign(null, digest, privateKey).toString('base64')
}

function loadKey(path: string): KeyObject {
	const key = createPrivateKey(readFileSync(path))
	if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${path} is not an Ed25519 private key`)
	return key
}

function main(argv: string[]): number {
	const [command, keyPath, imagePath] = argv
	if (command === 'keygen' && keyPath) {
		if (existsSync(keyPath)) {
			console.error(`${keyPath} exists; not overwriting a release key`)
			return 1
		}
		const { privateKey } = generateKeyPairSync('ed25519')
		writeFileSync(keyPath, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 })
		console.log(rawPublicKey(privateKey).toString('hex'))
		return 0
	}
	if (command === 'public' && keyPath) {
		console.log(rawPublicKey(loadKey(keyPath)).toString('hex'))
		return 0
	}
	if (command === 'sign' && keyPath && imagePath) {
		console.log(signImage(loadKey(keyPath), readFileSync(imagePath)))
		return 0
	}
	console.error(USAGE)
	return 64 // EX_USAGE
}

if (import.meta.main) {
	try {
		process.exit(main(process.argv.slice(2)))
	} catch (err) {
		console.error((err as Error).message)
		process.exit(1)
	}
}
