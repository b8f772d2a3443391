import type postgres from 'postgres'
import { accountEmailAad } from './accounts'
import { alertExcerptAad } from './alerts'
import { childNameAad } from './children'
import { consentEmailAad } from './consents'
import { conversationMessageAad } from './conversations'
import type { FieldCipher } from './crypto'
import { familyEmailAad } from './families'
import { isUuid } from './family-children'
import { childSummaryAad } from './summaries'

// Everything stored about a child, or a whole household, as JSON: one array of rows per table,
// named after the table, with encrypted fields decrypted and secrets (password hashes, token
// hashes, blind indexes, key material) left out. Keyed by table so a test can hold the export to
// the schema: a table that gains child data cannot be forgotten here without the test noticing.

export const EXPORT_FORMAT = 'teddy-export/1'

export type ExportTables = Record<string, Array<Record<string, unknown>>>

type Row = Record<string, unknown>

// columns never exported: secrets, and the ciphertext whose plaintext is exported instead
const HIDDEN = /^((.+_)?(ciphertext|nonce|key_id)|password_hash|email_index|token_hash)$/

function visible(row: Row): Row {
	const out: Row = {}
	for (const [k, v] of Object.entries(row)) if (!HIDDEN.test(k)) out[k] = typeof v === 'bigint' ? Number(v) : v
	return out
}

export class ExportRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
	) {}

	private open(r: Row, prefix: string, aad: string): string {
		const p = prefix ? `${prefix}_` : ''
		return this.cipher.decrypt(
			{ ciphertext: r[`${p}ciphertext`] as Uint8Array, nonce: r[`${p}nonce`] as Uint8Array, keyId: r[`${p}key_id`] as string },
			aad,
		)
	}

	/** One child's tables; null when the child is not the family's. */
	async child(familyId: string, childId: string): Promise<ExportTables | null> {
		if (!isUuid(childId)) return null
		const children = await this.sql<Row[]>`select * from children where id = ${childId} and family_id = ${familyId}`
		if (children.length === 0) return null
		return this.childTables([childId], children)
	}

	/** The household; `familyRef` is its audit pseudonym (store/audit.ts), for its audit entries. */
	async family(familyId: string, familyRef: string): Promise<ExportTables> {
		const children = await this.sql<Row[]>`select * from children where family_id = ${familyId} order by created_at, id`
		const tables = await this.childTables(
			children.map((c) => c.id as string),
			children,
		)
		const deviceIds = tables.devices!.map((d) => d.device_id as string)
		const [families, parents, sessions, usage, audit] = await Promise.all([
			this.sql<Row[]>`select * from families where id = ${familyId}`,
			this.sql<Row[]>`select * from parents where family_id = ${familyId} order by created_at`,
			this.sql<Row[]>`
				select s.* from auth_sessions s join parents p on p.id = s.parent_id where p.family_id = ${familyId} order by s.created_at
			`,
			this.sql<Row[]>`
				select day::text as day, scope, scope_id, turns, tokens_in, tokens_out, audio_in_ms, audio_out_ms from usage_daily
				where (scope = 'family' and scope_id = ${familyId}) or (scope = 'device' and scope_id = any(${deviceIds}::text[]))
				order by day, scope, scope_id
			`,
			this.sql<Row[]>`
				select at, actor_role, actor_ref, action, child_ref, target_ref, reason from audit_log
				where family_ref = ${familyRef} order by at, id
			`,
		])
		return {
			families: families.map((f) => ({
				...visible(f),
				parent_email: f.parent_email_ciphertext ? this.open(f, 'parent_email', familyEmailAad(f.id as string)) : null,
			})),
			parents: parents.map((p) => ({ ...visible(p), email: this.open(p, 'email', accountEmailAad(p.id as string)) })),
			auth_sessions: sessions.map(visible),
			usage_daily: usage.map(visible),
			audit_log: audit.map(visible),
			...tables,
		}
	}

	private async childTables(childIds: string[], children: Row[]): Promise<ExportTables> {
		const [conversations, messages, alerts, progress, summaries, consents, devices] = await Promise.all([
			this.sql<Row[]>`select * from conversations where child_id = any(${childIds}::uuid[]) order by started_at, id`,
			this.sql<Row[]>`
				select m.* from messages m join conversations c on c.id = m.conversation_id
				where c.child_id = any(${childIds}::uuid[]) order by m.seq
			`,
			this.sql<Row[]>`select * from parent_alerts where child_id = any(${childIds}::uuid[]) order by created_at, id`,
			this.sql<Row[]>`select * from child_progress where child_id = any(${childIds}::uuid[])`,
			this.sql<Row[]>`select * from child_summaries where child_id = any(${childIds}::uuid[])`,
			this.sql<Row[]>`select * from consents where child_id = any(${childIds}::uuid[]) order by requested_at, id`,
			this.sql<Row[]>`select * from devices where paired_child_id = any(${childIds}::uuid[]) order by device_id`,
		])
		return {
			children: children.map((c) => ({ ...visible(c), name: this.open(c, 'name', childNameAad(c.id as string)) })),
			conversations: conversations.map(visible),
			messages: messages.map((m) => ({
				...visible(m),
				text: this.open(m, '', conversationMessageAad(m as { id: string; conversation_id: string; role: 'child' })),
			})),
			parent_alerts: alerts.map((a) => ({ ...visible(a), excerpt: this.open(a, 'excerpt', alertExcerptAad(a.id as string)) })),
			child_progress: progress.map(visible),
			child_summaries: summaries.map((s) => ({ ...visible(s), text: this.open(s, '', childSummaryAad(s.child_id as string)) })),
			consents: consents.map((c) => ({ ...visible(c), parent_email: this.open(c, 'parent_email', consentEmailAad(c.id as string)) })),
			devices: devices.map(visible),
		}
	}
}
