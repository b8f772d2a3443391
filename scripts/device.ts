// Operator commands for one toy (docs/security.md). Runs against the gateway's database with the
// gateway's own configuration (DATABASE_URL, ENCRYPTION_KEY, ESP32_SHARED_SECRET, DATA_DIR).
//
//   bun scripts/device.ts show     <device_id>           what the gateway knows about the toy
//   bun scripts/device.ts revoke   <device_id>           revoke it for good: every token dies, it is unpaired
//   bun scripts/device.ts unbind   <device_id>           forget its Client-Id (a toy whose flash was wiped):
//                                                        the next check-in binds again; its tokens die
//   bun scripts/device.ts hmac-key <device_id> <hex>     provision the vendor eFuse HMAC key (32 bytes) the
//                                                        toy signs its activation challenge with
//   bun scripts/device.ts box-code <device_id>           the code to print on the toy's box: a parent claims
//                                                        the toy with it before it was ever switched on
//
// ! With the embedded database (no DATABASE_URL) stop the gateway first: PGlite is one process's.

import { isValidDeviceId } from '../gateway/src/auth/device-auth'
import { resolveSharedSecret } from '../gateway/src/auth/shared-secret'
import { ConfigError, loadConfig } from '../gateway/src/config'
import { createLogger } from '../gateway/src/obs/logger'
import { createStore, type Store } from '../gateway/src/store'
import { loadFieldCipher } from '../gateway/src/store/crypto'
import { openDatabase } from '../gateway/src/store/database'
import { migrate } from '../gateway/src/store/migrate'

const USAGE = 'usage: bun scripts/device.ts <show|revoke|unbind|box-code> <device_id> | hmac-key <device_id> <64 hex characters>'

class CommandError extends Error {}

type Command = (store: Store, deviceId: string, args: string[]) => Promise<string>

async function known(store: Store, deviceId: string) {
	const device = await store.devices.get(deviceId)
	if (!device) throw new CommandError(`no toy with device id ${deviceId}`)
	return device
}

const commands: Record<string, Command> = {
	async show(store, deviceId) {
		const device = await known(store, deviceId)
		const binding = await store.bindings.get(deviceId)
		return JSON.stringify(
			{
				device_id: device.deviceId,
				registered_at: device.createdAt,
				last_seen_at: device.lastSeenAt,
				paired: device.pairedChildId !== null,
				revoked_at: device.revokedAt,
				client_id_bound_at: binding?.boundAt ?? null,
				device_key_proven_at: binding?.deviceKeyProvenAt ?? null,
				provisioned_hmac_key: binding?.hasProvisionedKey ?? false,
			},
			null,
			2,
		)
	},
	async revoke(store, deviceId) {
		await known(store, deviceId)
		await store.devices.revoke(deviceId)
		return `revoked ${deviceId}: its tokens no longer work, it is unpaired, and it gets no new token`
	},
	async unbind(store, deviceId) {
		await known(store, deviceId)
		await store.bindings.unbind(deviceId)
		// ? whoever holds a token from before the reset loses it too
		await store.pairing.rotateTokenGeneration(deviceId)
		return `unbound ${deviceId}: its next check-in binds the Client-Id it presents; its earlier tokens no longer work`
	},
	async 'box-code'(store, deviceId) {
		return store.pairing.boxCode(deviceId)
	},
	async 'hmac-key'(store, deviceId, [hex]) {
		if (!hex || !/^[0-9a-fA-F]{64}$/.test(hex)) throw new CommandError(`the key must be 64 hex characters (32 bytes)\n${USAGE}`)
		await store.devices.register(deviceId)
		await store.bindings.provisionKey(deviceId, Buffer.from(hex, 'hex'))
		return `provisioned an activation HMAC key for ${deviceId}: a wrong HMAC from it is now refused`
	},
}

async function main(argv: string[]): Promise<number> {
	const [name, deviceId, ...args] = argv
	const command = name ? commands[name] : undefined
	if (!command || !deviceId) {
		console.error(USAGE)
		return 64 // EX_USAGE
	}
	if (!isValidDeviceId(deviceId)) {
		console.error(`not a device id: ${JSON.stringify(deviceId.slice(0, 80))} (1-64 letters, digits, ":", "_", "." or "-")`)
		return 64
	}
	let config: ReturnType<typeof loadConfig>
	try {
		config = loadConfig()
	} catch (err) {
		if (!(err instanceof ConfigError)) throw err
		console.error(err.message)
		return 78 // EX_CONFIG
	}
	const log = createLogger(config.logLevel)
	if (!config.databaseUrl) console.error(`embedded database in ${config.dataDir}: make sure the gateway is stopped`)
	const secret = resolveSharedSecret(config.esp32SharedSecret, config.dataDir, log)
	const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, max: 1 })
	try {
		await migrate(db.sql)
		const cipher = loadFieldCipher(
			{ ENCRYPTION_KEY: config.encryptionKey, ENCRYPTION_KEYS_OLD: process.env.ENCRYPTION_KEYS_OLD, NODE_ENV: config.nodeEnv },
			config.dataDir,
		)
		console.log(await command(createStore(db, cipher, secret), deviceId, args))
		return 0
	} catch (err) {
		if (!(err instanceof CommandError)) throw err
		console.error(err.message)
		return 1
	} finally {
		await db.close()
	}
}

process.exit(await main(process.argv.slice(2)))
