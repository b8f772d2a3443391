import type postgres from 'postgres'
import { alertExcerptAad, type CrisisKind } from './alerts'
import type { FieldCipher } from './crypto'
import { isUuid } from './family-children'

// Crisis alerts as a parent reads them: only their family's, newest first, with the child's words
// decrypted; a parent acknowledges one once they have looked after it.

export interface FamilyAlert {
	id: string
	childId: string | null
	deviceId: string | null
	kind: CrisisKind
	source: 'keyword' | 'moderation'
	language: string
	excerpt: string
	createdAt: Date
	emailedAt: Date | null
	acknowledgedAt: Date | null
	acknowledgedBy: string | null
}

interface AlertRow {
	id: string
	child_id: string | null
	device_id: string | null
	kind: CrisisKind
	source: 'keyword' | 'moderation'
	language: string
	excerpt_ciphertext: Uint8Array
	excerpt_nonce: Uint8Array
	excerpt_key_id: string
	created_at: Date
	emailed_at: Date | null
	acknowledged_at: Date | null
	acknowledged_by: string | null
}

export interface AlertFilter {
	childId?: string
	open?: boolean
	limit: number
	/** created_at of the oldest alert already shown */
	before?: Date
}

export class FamilyAlertRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
	) {}

	async list(familyId: string, f: AlertFilter): Promise<FamilyAlert[]> {
		if (f.childId !== undefined && !isUuid(f.childId)) return []
		const rows = await this.sql<AlertRow[]>`
			select * from parent_alerts
			where family_id = ${familyId}
				${f.childId ? this.sql`and child_id = ${f.childId}` : this.sql``}
				${f.open ? this.sql`and acknowledged_at is null` : this.sql``}
				and created_at < ${f.before ?? new Date('9999-12-31T00:00:00Z')}
			order by created_at desc, id desc limit ${f.limit}
		`
		return rows.map((r) => this.toAlert(r))
	}

	async get(familyId: string, id: string): Promise<FamilyAlert | null> {
		if (!isUuid(id)) return null
		const [row] = await this.sql<AlertRow[]>`select * from parent_alerts where id = ${id} and family_id = ${familyId}`
		return row ? this.toAlert(row) : null
	}

	/** Unscoped, for an operator's audited review. */
	async getAny(id: string): Promise<(FamilyAlert & { familyId: string | null }) | null> {
		if (!isUuid(id)) return null
		const [row] = await this.sql<(AlertRow & { family_id: string | null })[]>`select * from parent_alerts where id = ${id}`
		return row ? { ...this.toAlert(row), familyId: row.family_id } : null
	}

	async acknowledge(familyId: string, id: string, parentId: string): Promise<FamilyAlert | null> {
		if (!isUuid(id)) return null
		const [row] = await this.sql<AlertRow[]>`
			update parent_alerts set acknowledged_at = coalesce(acknowledged_at, now()), acknowledged_by = coalesce(acknowledged_by, ${parentId})
			where id = ${id} and family_id = ${familyId}
			returning *
		`
		return row ? this.toAlert(row) : null
	}

	private toAlert(r: AlertRow): FamilyAlert {
		return {
			id: r.id,
			childId: r.child_id,
			deviceId: r.device_id,
			kind: r.kind,
			source: r.source,
			language: r.language,
			excerpt: this.cipher.decrypt({ ciphertext: r.excerpt_ciphertext, nonce: r.excerpt_nonce, keyId: r.excerpt_key_id }, alertExcerptAad(r.id)),
			createdAt: r.created_at,
			emailedAt: r.emailed_at,
			acknowledgedAt: r.acknowledged_at,
			acknowledgedBy: r.acknowledged_by,
		}
	}
}
