import { randomUUID } from 'node:crypto'
import type postgres from 'postgres'
import type { FieldCipher } from './crypto'
import { transaction } from './transaction'

// Verifiable parental consent (sql/0006), recorded per child. A consent counts while it is
// confirmed, not withdrawn, and given to the current policy version.

export type ConsentKind = 'coppa' | 'third_party_ai'

export interface ConsentRecord {
	id: string
	childId: string
	kind: ConsentKind
	method: string
	policyVersion: string
	parentId: string | null
	parentEmail: string
	clientIp: string | null
	requestedAt: Date
	confirmedAt: Date | null
	withdrawnAt: Date | null
}

export interface NewConsent {
	familyId: string
	childId: string
	kinds: ConsentKind[]
	method: string
	policyVersion: string
	parentId: string
	parentEmail: string
	clientIp: string
}

/** What the toy's gate needs to know about one child. */
export interface ConsentState {
	/** false for a child no parent owns (an unpaired seed toy's): no one can consent for it */
	inFamily: boolean
	coppa: boolean
	thirdPartyAi: boolean
}

interface ConsentRow {
	id: string
	child_id: string
	kind: ConsentKind
	method: string
	policy_version: string
	parent_id: string | null
	parent_email_ciphertext: Uint8Array
	parent_email_nonce: Uint8Array
	parent_email_key_id: string
	client_ip: string | null
	requested_at: Date
	confirmed_at: Date | null
	withdrawn_at: Date | null
}

export const consentEmailAad = (id: string) => `consents.parent_email:${id}`

export class ConsentRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
	) {}

	/** Records the requested consents, unconfirmed; returns their ids. */
	async request(c: NewConsent): Promise<string[]> {
		return transaction(this.sql, async (tx) => {
			const ids: string[] = []
			for (const kind of c.kinds) {
				const id = randomUUID()
				const email = this.cipher.encrypt(c.parentEmail, consentEmailAad(id))
				await tx`
					insert into consents (id, family_id, child_id, kind, method, policy_version, parent_id,
						parent_email_ciphertext, parent_email_nonce, parent_email_key_id, client_ip)
					values (${id}, ${c.familyId}, ${c.childId}, ${kind}, ${c.method}, ${c.policyVersion}, ${c.parentId},
						${email.ciphertext}, ${email.nonce}, ${email.keyId}, ${c.clientIp})
				`
				ids.push(id)
			}
			return ids
		})
	}

	/** Confirms pending consents of this family; returns the children they are for. */
	async confirm(familyId: string, ids: string[]): Promise<string[]> {
		const rows = await this.sql<{ child_id: string }[]>`
			update consents set confirmed_at = now()
			where id = any(${ids}::uuid[]) and family_id = ${familyId} and confirmed_at is null and withdrawn_at is null
			returning child_id
		`
		return [...new Set(rows.map((r) => r.child_id))]
	}

	/** Withdraws every live consent of these kinds for the child; returns how many. */
	async withdraw(familyId: string, childId: string, kinds: ConsentKind[]): Promise<number> {
		const r = await this.sql`
			update consents set withdrawn_at = now()
			where family_id = ${familyId} and child_id = ${childId} and kind = any(${kinds}::text[]) and withdrawn_at is null
		`
		return r.count
	}

	async state(childId: string, policyVersion: string): Promise<ConsentState> {
		const [row] = await this.sql<{ in_family: boolean; coppa: boolean; third_party_ai: boolean }[]>`
			select c.family_id is not null as in_family,
				exists (select 1 from consents k where k.child_id = c.id and k.kind = 'coppa' and k.confirmed_at is not null
					and k.withdrawn_at is null and k.policy_version = ${policyVersion}) as coppa,
				exists (select 1 from consents k where k.child_id = c.id and k.kind = 'third_party_ai' and k.confirmed_at is not null
					and k.withdrawn_at is null and k.policy_version = ${policyVersion}) as third_party_ai
			from children c where c.id = ${childId}
		`
		if (!row) return { inFamily: false, coppa: false, thirdPartyAi: false }
		return { inFamily: row.in_family, coppa: row.coppa, thirdPartyAi: row.third_party_ai }
	}

	/** Every consent record of a child, newest first (the app's history, and the export). */
	async history(familyId: string, childId: string): Promise<ConsentRecord[]> {
		const rows = await this.sql<ConsentRow[]>`
			select * from consents where family_id = ${familyId} and child_id = ${childId} order by requested_at desc, id
		`
		return rows.map((r) => ({
			id: r.id,
			childId: r.child_id,
			kind: r.kind,
			method: r.method,
			policyVersion: r.policy_version,
			parentId: r.parent_id,
			parentEmail: this.cipher.decrypt(
				{ ciphertext: r.parent_email_ciphertext, nonce: r.parent_email_nonce, keyId: r.parent_email_key_id },
				consentEmailAad(r.id),
			),
			clientIp: r.client_ip,
			requestedAt: r.requested_at,
			confirmedAt: r.confirmed_at,
			withdrawnAt: r.withdrawn_at,
		}))
	}
}
