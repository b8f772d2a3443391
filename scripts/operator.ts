// Operator accounts are made here, never by self-registration:
//   bun scripts/operator.ts create <email>
// prints a generated password once. Reads the same environment as the gateway (DATABASE_URL or
// DATA_DIR, ENCRYPTION_KEY, AUTH_SECRET). With the embedded database, stop the gateway first: the
// embedded PostgreSQL is one process's.
import { randomBytes } from 'node:crypto'
import { deriveAuthKeys, emailIndexer, resolveAuthSecret } from '../gateway/src/auth/auth-secret'
import { Passwords } from '../gateway/src/auth/passwords'
import { ConfigError, loadConfig } from '../gateway/src/config'
import { createLogger } from '../gateway/src/obs/logger'
import { AccountRepository } from '../gateway/src/store/accounts'
import { loadFieldCipher } from '../gateway/src/store/crypto'
import { openDatabase } from '../gateway/src/store/database'
import { migrate } from '../gateway/src/store/migrate'

const USAGE = 'usage: bun scripts/operator.ts create <email>'

async function main(argv: string[]): Promise<number> {
	const [command, email] = argv
	if (command !== 'create' || !email || !/^[^@\s]+@[^@\s]+$/.test(email)) {
		console.error(USAGE)
		return 64 // EX_USAGE
	}
	const config = loadConfig()
	const log = createLogger('warn')
	const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, max: 1 })
	try {
		await migrate(db.sql)
		const keys = deriveAuthKeys(resolveAuthSecret(config.accounts.authSecret, config.dataDir, log))
		const cipher = loadFieldCipher({ ENCRYPTION_KEY: config.encryptionKey, NODE_ENV: config.nodeEnv }, config.dataDir)
		const accounts = new AccountRepository(db.sql, cipher, emailIndexer(keys))
		const password = randomBytes(18).toString('base64url')
		const created = await accounts.createOperator(email, await new Passwords().hash(password))
		if (!created) {
			console.error(`an account with ${email} already exists`)
			return 1
		}
		console.log(`operator ${created.id} created for ${email}`)
		console.log(`password: ${password}`)
		console.log('It is shown once. Change it with POST /api/v1/accounts/password/forgot.')
		return 0
	} finally {
		await db.close()
	}
}

try {
	process.exit(await main(process.argv.slice(2)))
} catch (err) {
	console.error(err instanceof ConfigError ? err.message : err)
	process.exit(err instanceof ConfigError ? 78 : 1)
}
