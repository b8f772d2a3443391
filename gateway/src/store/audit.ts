import type postgres from 'postgres'

// The audit log (sql/0005): every access by a parent or an operator to a child's data. Ids are
// written as keyed pseudonyms (`ref`, from the auth layer) so the log can outlive what it records.

export type AuditActor = { role: 'parent'; id: string } | { role: 'operator'; id: string } | { role: 'system'; id: string }

export interface AuditRecord {
	actor: AuditActor
	/** e.g. `conversation.read`, `child.delete`, `export.family`, `operator.device.revoke` */
	action: string
	familyId?: string | null
	childId?: string | null
	/** a conversation, alert or device id */
	targetId?: string | null
	reason?: string
}

export interface AuditEntry {
	at: Date
	actorRole: AuditActor['role']
	/** true when the actor is the account asking */
	byYou: boolean
	action: string
	/** whether the entry is about this child (only answerable for a child one names) */
	childRef: string | null
	reason: string | null
}

interface AuditRow {
	at: Date
	actor_role: AuditActor['role']
	actor_ref: string
	action: string
	child_ref: string | null
	reason: string | null
}

export class AuditRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly ref: (id: string) => string,
	) {}

	/** The pseudonym an id is logged under. */
	refOf(id: string): string {
		return this.ref(id)
	}

	async record(r: AuditRecord): Promise<void> {
		// ? Operators are staff, named by account id; a parent is pseudonymised like their child.
		const actorRef = r.actor.role === 'parent' ? this.ref(r.actor.id) : `${r.actor.role}:${r.actor.id}`
		const opt = (id: string | null | undefined) => (id ? this.ref(id) : null)
		await this.sql`
			insert into audit_log (actor_role, actor_ref, action, family_ref, child_ref, target_ref, reason)
			values (${r.actor.role}, ${actorRef}, ${r.action}, ${opt(r.familyId)}, ${opt(r.childId)}, ${opt(r.targetId)},
				${r.reason?.slice(0, 500) ?? null})
		`
	}

	/** A family's entries, newest first (what a parent may see of who opened their children's data). */
	async forFamily(familyId: string, viewerId: string, limit: number, before?: Date): Promise<AuditEntry[]> {
		const rows = await this.sql<AuditRow[]>`
			select at, actor_role, actor_ref, action, child_ref, reason from audit_log
			where family_ref = ${this.ref(familyId)} and at < ${before ?? new Date('9999-01-01')}
			order by at desc, id desc limit ${limit}
		`
		const you = this.ref(viewerId)
		return rows.map((r) => ({
			at: r.at,
			actorRole: r.actor_role,
			byYou: r.actor_ref === you,
			action: r.action,
			childRef: r.child_ref,
			reason: r.reason,
		}))
	}

	async purgeOlderThan(days: number): Promise<number> {
		const r = await this.sql`delete from audit_log where at < now() - make_interval(days => ${days})`
		return r.count
	}
}
