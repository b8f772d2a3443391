import type postgres from 'postgres'
import type { FieldCipher } from './crypto'

// The per-child memory summary: encrypted like transcripts, bound to its child by the AAD.

const summaryAad = (childId: string) => `child_summaries:${childId}`
/** For the parent side and the re-encrypt job, which read and write the same column. */
export const childSummaryAad = summaryAad

interface SummaryRow {
	ciphertext: Uint8Array
	nonce: Uint8Array
	key_id: string
}

export class SummaryRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
	) {}

	async get(childId: string): Promise<string | null> {
		const [row] = await this.sql<SummaryRow[]>`
			select ciphertext, nonce, key_id from child_summaries where child_id = ${childId}
		`
		if (!row) return null
		return this.cipher.decrypt({ ciphertext: row.ciphertext, nonce: row.nonce, keyId: row.key_id }, summaryAad(childId))
	}

	async put(childId: string, text: string, approxTokens: number): Promise<void> {
		const sealed = this.cipher.encrypt(text, summaryAad(childId))
		await this.sql`
			insert into child_summaries (child_id, ciphertext, nonce, key_id, approx_tokens)
			values (${childId}, ${sealed.ciphertext}, ${sealed.nonce}, ${sealed.keyId}, ${approxTokens})
			on conflict (child_id) do update set
				ciphertext = excluded.ciphertext, nonce = excluded.nonce, key_id = excluded.key_id,
				approx_tokens = excluded.approx_tokens, updated_at = now()
		`
	}
}
