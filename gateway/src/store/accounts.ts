import { randomUUID } from 'node:crypto'
import type postgres from 'postgres'
import type { FieldCipher } from './crypto'
import { transaction } from './transaction'

// Parent and operator accounts (sql/0005). The address is kept encrypted and found by its blind
// index (a keyed hash the caller computes: the key lives with the auth layer, not here).

export type AccountRole = 'parent' | 'operator'

export interface Account {
	id: string
	familyId: string | null
	role: AccountRole
	email: string
	emailVerified: boolean
	passwordHash: string
	createdAt: Date
}

interface AccountRow {
	id: string
	family_id: string | null
	role: AccountRole
	email_ciphertext: Uint8Array
	email_nonce: Uint8Array
	email_key_id: string
	password_hash: string
	email_verified_at: Date | null
	created_at: Date
}

export const accountEmailAad = (id: string) => `parents.email:${id}`

const UNIQUE_VIOLATION = '23505'
const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === UNIQUE_VIOLATION

export class AccountRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
		private readonly emailIndex: (email: string) => Uint8Array,
	) {}

	/** A new parent with a new, empty household; null when the address already has an account. */
	async createParent(email: string, passwordHash: string): Promise<Account | null> {
		try {
			return await transaction(this.sql, async (tx) => {
				const [family] = await tx<{ id: string }[]>`insert into families default values returning id`
				return this.insert(tx, 'parent', family!.id, email, passwordHash, false)
			})
		} catch (err) {
			if (isUniqueViolation(err)) return null
			throw err
		}
	}

	/** Operators are made by an operator CLI only; their address counts as verified. */
	async createOperator(email: string, passwordHash: string): Promise<Account | null> {
		try {
			return await this.insert(this.sql, 'operator', null, email, passwordHash, true)
		} catch (err) {
			if (isUniqueViolation(err)) return null
			throw err
		}
	}

	async byEmail(email: string): Promise<Account | null> {
		const [row] = await this.sql<AccountRow[]>`select * from parents where email_index = ${this.emailIndex(email)}`
		return row ? this.toAccount(row) : null
	}

	async get(id: string): Promise<Account | null> {
		const [row] = await this.sql<AccountRow[]>`select * from parents where id = ${id}`
		return row ? this.toAccount(row) : null
	}

	async markVerified(id: string): Promise<void> {
		await this.sql`update parents set email_verified_at = coalesce(email_verified_at, now()) where id = ${id}`
	}

	async setPassword(id: string, passwordHash: string): Promise<void> {
		await this.sql`update parents set password_hash = ${passwordHash} where id = ${id}`
	}

	/** Moves the account to a new (verified) address; false when another account holds it. */
	async setEmail(id: string, email: string): Promise<boolean> {
		const sealed = this.cipher.encrypt(email, accountEmailAad(id))
		try {
			const r = await this.sql`
				update parents set email_index = ${this.emailIndex(email)}, email_ciphertext = ${sealed.ciphertext},
					email_nonce = ${sealed.nonce}, email_key_id = ${sealed.keyId}, email_verified_at = now()
				where id = ${id}
			`
			return r.count > 0
		} catch (err) {
			if (isUniqueViolation(err)) return false
			throw err
		}
	}

	/** Parents of a family: when the last one goes, the household goes with them. */
	async countInFamily(familyId: string): Promise<number> {
		const [row] = await this.sql<{ n: number }[]>`select count(*)::int as n from parents where family_id = ${familyId}`
		return row!.n
	}

	private async insert(
		sql: postgres.ISql,
		role: AccountRole,
		familyId: string | null,
		email: string,
		passwordHash: string,
		verified: boolean,
	): Promise<Account> {
		const id = randomUUID()
		const sealed = this.cipher.encrypt(email, accountEmailAad(id))
		const [row] = await sql<AccountRow[]>`
			insert into parents (id, family_id, role, email_index, email_ciphertext, email_nonce, email_key_id,
				password_hash, email_verified_at)
			values (${id}, ${familyId}, ${role}, ${this.emailIndex(email)}, ${sealed.ciphertext}, ${sealed.nonce},
				${sealed.keyId}, ${passwordHash}, ${verified ? new Date() : null})
			returning *
		`
		return this.toAccount(row!)
	}

	private toAccount(r: AccountRow): Account {
		const email = this.cipher.decrypt({ ciphertext: r.email_ciphertext, nonce: r.email_nonce, keyId: r.email_key_id }, accountEmailAad(r.id))
		return {
			id: r.id,
			familyId: r.family_id,
			role: r.role,
			email,
			emailVerified: r.email_verified_at !== null,
			passwordHash: r.password_hash,
			createdAt: r.created_at,
		}
	}
}
