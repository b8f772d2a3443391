// Moves every encrypted column to the current ENCRYPTION_KEY now (the gateway also does it in the
// background while ENCRYPTION_KEYS_OLD is set):
//   ENCRYPTION_KEY=<new> ENCRYPTION_KEYS_OLD=<old> bun scripts/rekey.ts
// Resumable: run it again after an interruption. Once it reports nothing remaining, the old key
// can be dropped from ENCRYPTION_KEYS_OLD.
import { ConfigError, loadConfig } from '../gateway/src/config'
import { loadFieldCipher } from '../gateway/src/store/crypto'
import { openDatabase } from '../gateway/src/store/database'
import { migrate } from '../gateway/src/store/migrate'
import { rekey } from '../gateway/src/store/rekey'

try {
	const config = loadConfig()
	const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, max: 2 })
	try {
		await migrate(db.sql)
		// ? Read here as gateway.ts reads it, until config.ts carries it.
		const cipher = loadFieldCipher(
			{ ENCRYPTION_KEY: config.encryptionKey, ENCRYPTION_KEYS_OLD: process.env.ENCRYPTION_KEYS_OLD, NODE_ENV: config.nodeEnv },
			config.dataDir,
		)
		const result = await rekey(db.sql, cipher)
		console.log(JSON.stringify(result, null, 2))
		process.exitCode = result.remaining === 0 ? 0 : 1
	} finally {
		await db.close()
	}
} catch (err) {
	console.error(err instanceof ConfigError ? err.message : err)
	process.exitCode = err instanceof ConfigError ? 78 : 1
}
