import type postgres from 'postgres'
import type { FieldCipher } from './crypto'

// Single-use links mailed to a parent (sql/0005). The caller makes the random token and passes its
// hash; a link is consumed atomically, so two clicks cannot both succeed.

export type TokenPurpose = 'verify_email' | 'reset_password' | 'change_email' | 'confirm_consent'

export const accountTokenAad = (hash: Uint8Array) => `account_tokens.payload:${Buffer.from(hash).toString('hex')}`

interface TokenRow {
	parent_id: string
	payload_ciphertext: Uint8Array | null
	payload_nonce: Uint8Array | null
	payload_key_id: string | null
}

export class AccountTokenRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
	) {}

	async issue(hash: Uint8Array, parentId: string, purpose: TokenPurpose, ttlSeconds: number, payload?: string): Promise<void> {
		const sealed = payload === undefined ? null : this.cipher.encrypt(payload, accountTokenAad(hash))
		await this.sql`
			insert into account_tokens (token_hash, parent_id, purpose, payload_ciphertext, payload_nonce, payload_key_id, expires_at)
			values (${hash}, ${parentId}, ${purpose}, ${sealed?.ciphertext ?? null}, ${sealed?.nonce ?? null}, ${sealed?.keyId ?? null},
				now() + make_interval(secs => ${ttlSeconds}))
		`
	}

	/** Marks the link used and returns what it confirms; null if unknown, used, expired or for another purpose. */
	async consume(hash: Uint8Array, purpose: TokenPurpose): Promise<{ parentId: string; payload: string | null } | null> {
		const [row] = await this.sql<TokenRow[]>`
			update account_tokens set used_at = now()
			where token_hash = ${hash} and purpose = ${purpose} and used_at is null and expires_at > now()
			returning parent_id, payload_ciphertext, payload_nonce, payload_key_id
		`
		if (!row) return null
		const payload =
			row.payload_ciphertext && row.payload_nonce && row.payload_key_id
				? this.cipher.decrypt({ ciphertext: row.payload_ciphertext, nonce: row.payload_nonce, keyId: row.payload_key_id }, accountTokenAad(hash))
				: null
		return { parentId: row.parent_id, payload }
	}

	/** Older links of this kind stop working (a newer one was sent, or the password changed). */
	async revokeAll(parentId: string, purpose: TokenPurpose): Promise<void> {
		await this.sql`update account_tokens set used_at = now() where parent_id = ${parentId} and purpose = ${purpose} and used_at is null`
	}
}
