import type postgres from 'postgres'
import { accountTokenAad } from './account-tokens'
import { accountEmailAad } from './accounts'
import { alertExcerptAad } from './alerts'
import { childNameAad } from './children'
import { consentEmailAad } from './consents'
import { conversationMessageAad } from './conversations'
import type { FieldCipher } from './crypto'
import { deviceKeyAad } from './device-bindings'
import { familyEmailAad } from './families'
import { childSummaryAad } from './summaries'

// Key rotation: moves every encrypted column to the current ENCRYPTION_KEY, batch by batch, each
// batch committed on its own. Resumable by construction: it works on the rows whose key id is not
// the current one, so a run that stops (crash, deploy) is picked up by the next from where it got.
// A row is rewritten only if its key id is still the one read (a concurrent write wins).

interface Column {
	table: string
	/** primary key column */
	pk: string
	/** prefix of the ciphertext / nonce / key_id columns ('' for the bare names) */
	prefix: string
	aad: (row: Record<string, unknown>) => string
}

export const ENCRYPTED_COLUMNS: readonly Column[] = [
	{ table: 'children', pk: 'id', prefix: 'name', aad: (r) => childNameAad(r.id as string) },
	{
		table: 'messages',
		pk: 'id',
		prefix: '',
		aad: (r) => conversationMessageAad(r as { id: string; conversation_id: string; role: 'child' }),
	},
	{ table: 'parent_alerts', pk: 'id', prefix: 'excerpt', aad: (r) => alertExcerptAad(r.id as string) },
	{ table: 'child_summaries', pk: 'child_id', prefix: '', aad: (r) => childSummaryAad(r.child_id as string) },
	{ table: 'families', pk: 'id', prefix: 'parent_email', aad: (r) => familyEmailAad(r.id as string) },
	{ table: 'parents', pk: 'id', prefix: 'email', aad: (r) => accountEmailAad(r.id as string) },
	{ table: 'consents', pk: 'id', prefix: 'parent_email', aad: (r) => consentEmailAad(r.id as string) },
	{ table: 'device_bindings', pk: 'device_id', prefix: 'hmac_key', aad: (r) => deviceKeyAad(r.device_id as string) },
	{ table: 'account_tokens', pk: 'token_hash', prefix: 'payload', aad: (r) => accountTokenAad(r.token_hash as Uint8Array) },
]

export interface RekeyResult {
	/** rows moved to the current key, per table */
	moved: Record<string, number>
	/** rows that could not be opened (their key is not configured), per table: they stay as they are */
	unreadable: Record<string, number>
	/** rows still under older keys when the run stopped (at `maxRows`) */
	remaining: number
}

const BATCH = 200

export async function rekey(sql: postgres.Sql, cipher: FieldCipher, opts: { maxRows?: number } = {}): Promise<RekeyResult> {
	const result: RekeyResult = { moved: {}, unreadable: {}, remaining: 0 }
	let budget = opts.maxRows ?? Number.POSITIVE_INFINITY
	for (const col of ENCRYPTED_COLUMNS) {
		const p = col.prefix ? `${col.prefix}_` : ''
		const [ct, nonce, keyId] = [`${p}ciphertext`, `${p}nonce`, `${p}key_id`]
		result.moved[col.table] = 0
		result.unreadable[col.table] = 0
		let after: unknown = null
		while (budget > 0) {
			// ! Identifiers come from the fixed list above, never from input.
			const rows = await sql.unsafe<Record<string, unknown>[]>(
				`select * from ${col.table} where ${keyId} is not null and ${keyId} <> $1
					${after === null ? '' : `and ${col.pk} > $2`} order by ${col.pk} limit ${Math.min(BATCH, budget)}`,
				after === null ? [cipher.keyId] : [cipher.keyId, after as string],
			)
			if (rows.length === 0) break
			for (const row of rows) {
				after = row[col.pk]
				let plain: string
				try {
					plain = cipher.decrypt({ ciphertext: row[ct] as Uint8Array, nonce: row[nonce] as Uint8Array, keyId: row[keyId] as string }, col.aad(row))
				} catch {
					result.unreadable[col.table]!++
					continue
				}
				const sealed = cipher.encrypt(plain, col.aad(row))
				const updated = await sql.unsafe(
					`update ${col.table} set ${ct} = $1, ${nonce} = $2, ${keyId} = $3 where ${col.pk} = $4 and ${keyId} = $5`,
					[sealed.ciphertext, sealed.nonce, sealed.keyId, row[col.pk] as string, row[keyId] as string],
				)
				if (updated.count > 0) result.moved[col.table]!++
			}
			budget -= rows.length
		}
	}
	for (const col of ENCRYPTED_COLUMNS) {
		const keyId = `${col.prefix ? `${col.prefix}_` : ''}key_id`
		const [row] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${col.table} where ${keyId} is not null and ${keyId} <> $1`, [cipher.keyId])
		result.remaining += row!.n
	}
	return result
}
