import postgres from 'postgres'
import { deriveAuthKeys, emailIndexer } from '../../gateway/src/auth/auth-secret'
import { Passwords } from '../../gateway/src/auth/passwords'
import { AccountRepository } from '../../gateway/src/store/accounts'
import { FieldCipher } from '../../gateway/src/store/crypto'

// An operator account in a gateway process's database (operators are never self-registered: the
// same as `bun scripts/operator.ts create`), signed in over the gateway's REST API.

export const OPERATOR_AUTH_SECRET = 'c3'.repeat(32)
export const OPERATOR_ENCRYPTION_KEY = '6b'.repeat(32)

/** Env for startGatewayProcess so operators made here can sign in to it. */
export const operatorEnv = (databaseUrl: string) => ({ DATABASE_URL: databaseUrl, AUTH_SECRET: OPERATOR_AUTH_SECRET, ENCRYPTION_KEY: OPERATOR_ENCRYPTION_KEY })

/** Creates an operator in the (already migrated) database and returns an access token for it. */
export async function operatorToken(databaseUrl: string, gatewayUrl: string): Promise<string> {
	const email = `op-${crypto.randomUUID()}@example.test`
	const password = 'operator horse battery'
	const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
	try {
		const accounts = new AccountRepository(sql, new FieldCipher(Buffer.from(OPERATOR_ENCRYPTION_KEY, 'hex')), emailIndexer(deriveAuthKeys(OPERATOR_AUTH_SECRET)))
		await accounts.createOperator(email, await new Passwords().hash(password))
	} finally {
		await sql.end()
	}
	const r = await fetch(`${gatewayUrl}/api/v1/accounts/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
	if (r.status !== 200) throw new Error(`operator login: ${r.status} ${await r.text()}`)
	return ((await r.json()) as { access_token: string }).access_token
}
