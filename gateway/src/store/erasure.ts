import type postgres from 'postgres'
import { isUuid } from './family-children'
import { transaction } from './transaction'

// Deletion that really deletes (sql/0001-0007 cascades do most of it): a conversation, a child with
// everything about it, or a whole household. Each runs in one transaction and answers which toys
// were the child's, so the caller can close their sockets and drop what memory holds.

export interface ChildErased {
	deviceIds: string[]
}

export interface FamilyErased {
	childIds: string[]
	deviceIds: string[]
}

export class ErasureRepository {
	constructor(private readonly sql: postgres.Sql) {}

	/** A conversation and its messages; the child's memory summary goes too (it may quote them). */
	async conversation(familyId: string, conversationId: string): Promise<{ childId: string; deviceId: string } | null> {
		if (!isUuid(conversationId)) return null
		return transaction(this.sql, async (tx) => {
			const [row] = await tx<{ child_id: string; device_id: string }[]>`
				delete from conversations c using children ch
				where c.id = ${conversationId} and ch.id = c.child_id and ch.family_id = ${familyId}
				returning c.child_id, c.device_id
			`
			if (!row) return null
			await tx`delete from child_summaries where child_id = ${row.child_id}`
			return { childId: row.child_id, deviceId: row.device_id }
		})
	}

	/**
	 * The child row and, by cascade, its conversations, messages, alerts, consents, progress and
	 * memory; its toys are unpaired (their tokens revoked by the token-generation trigger).
	 */
	async child(familyId: string, childId: string): Promise<ChildErased | null> {
		if (!isUuid(childId)) return null
		return transaction(this.sql, async (tx) => {
			const [owned] = await tx`select 1 from children where id = ${childId} and family_id = ${familyId} for update`
			if (!owned) return null
			const devices = await tx<{ device_id: string }[]>`select device_id from devices where paired_child_id = ${childId}`
			await tx`delete from children where id = ${childId}`
			return { deviceIds: devices.map((d) => d.device_id) }
		})
	}

	/**
	 * The household: its children (as above), its usage, its toys (a revoked toy keeps its bare row
	 * so it stays revoked), its consents and alerts, and its parents with their sessions and links.
	 */
	async family(familyId: string): Promise<FamilyErased> {
		return transaction(this.sql, async (tx) => {
			const children = await tx<{ id: string }[]>`select id from children where family_id = ${familyId} for update`
			const childIds = children.map((c) => c.id)
			const devices = await tx<{ device_id: string }[]>`select device_id from devices where paired_child_id = any(${childIds}::uuid[])`
			const deviceIds = devices.map((d) => d.device_id)
			await tx`delete from children where id = any(${childIds}::uuid[])`
			// ! A toy that another household used before keeps its row: deleting it would cascade to their conversations.
			await tx`
				delete from devices d where d.device_id = any(${deviceIds}::text[]) and d.revoked_at is null
					and not exists (select 1 from conversations c where c.device_id = d.device_id)
			`
			await tx`delete from families where id = ${familyId}`
			// ? Last: an insert of usage in flight holds the family's and toys' rows (key share) until it
			// commits, so by now it is in, and later ones find no family (store/usage.ts).
			await tx`delete from usage_daily where (scope = 'family' and scope_id = ${familyId}) or (scope = 'device' and scope_id = any(${deviceIds}::text[]))`
			return { childIds, deviceIds }
		})
	}

	/** One parent leaves a household that keeps other parents. */
	async parent(parentId: string): Promise<void> {
		await this.sql`delete from parents where id = ${parentId}`
	}
}
