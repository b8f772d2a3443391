import { randomUUID } from 'node:crypto'
import type postgres from 'postgres'
import { transaction } from './transaction'
import type { FieldCipher } from './crypto'

export interface Child {
	id: string
	externalId: string | null
	name: string
	age: number
	createdAt: Date
}

export interface SeedChild {
	externalId: string
	name: string
	age: number
}

interface ChildRow {
	id: string
	external_id: string | null
	name_ciphertext: Uint8Array
	name_nonce: Uint8Array
	name_key_id: string
	age: number
	created_at: Date
}

// Binds the name to its row: a name ciphertext pasted onto another child fails to decrypt.
const nameAad = (childId: string) => `children.name:${childId}`
/** For the parent side and the re-encrypt job, which read and write the same column. */
export const childNameAad = nameAad

export class ChildRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
	) {}

	// seed-json toys describe the child in query parameters on every connection; the newest name
	// and age win. The id is chosen here because the name's AAD needs it before the insert.
	async upsertFromSeed(seed: SeedChild): Promise<Child> {
		return transaction(this.sql, async (tx) => {
			const id = randomUUID()
			const name = this.cipher.encrypt(seed.name, nameAad(id))
			const [inserted] = await tx<ChildRow[]>`
				insert into children (id, external_id, name_ciphertext, name_nonce, name_key_id, age)
				values (${id}, ${seed.externalId}, ${name.ciphertext}, ${name.nonce}, ${name.keyId}, ${seed.age})
				on conflict (external_id) do nothing
				returning *
			`
			if (inserted) return this.toChild(inserted)
			const [existing] = await tx<{ id: string }[]>`
				select id from children where external_id = ${seed.externalId} for update
			`
			const renamed = this.cipher.encrypt(seed.name, nameAad(existing!.id))
			const [updated] = await tx<ChildRow[]>`
				update children set
					name_ciphertext = ${renamed.ciphertext}, name_nonce = ${renamed.nonce},
					name_key_id = ${renamed.keyId}, age = ${seed.age}
				where id = ${existing!.id}
				returning *
			`
			return this.toChild(updated!)
		})
	}

	async get(id: string): Promise<Child | null> {
		const [row] = await this.sql<ChildRow[]>`select * from children where id = ${id}`
		return row ? this.toChild(row) : null
	}

	async getByExternalId(externalId: string): Promise<Child | null> {
		const [row] = await this.sql<ChildRow[]>`select * from children where external_id = ${externalId}`
		return row ? this.toChild(row) : null
	}

	// Cascades to the child's conversations and messages (see sql/0001). Returns false if absent.
	async delete(id: string): Promise<boolean> {
		const result = await this.sql`delete from children where id = ${id}`
		return result.count > 0
	}

	private toChild(r: ChildRow): Child {
		const name = this.cipher.decrypt(
			{ ciphertext: r.name_ciphertext, nonce: r.name_nonce, keyId: r.name_key_id },
			nameAad(r.id),
		)
		return { id: r.id, externalId: r.external_id, name, age: r.age, createdAt: r.created_at }
	}
}
