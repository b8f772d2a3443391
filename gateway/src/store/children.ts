import { randomUUID } from 'node:crypto'
import type postgres from 'postgres'
import type { FieldCipher } from './crypto'

// Children and who owns them (sql/0004): a family (a parent made the child), or one unpaired
// seed-json toy (the child its query parameters describe). Every lookup that takes an id from a
// toy is scoped to that owner: a toy never reaches another household's child by naming it.

export interface Child {
	id: string
	externalId: string | null
	name: string
	age: number
	familyId: string | null
	/** Set for a child made from an unpaired seed toy's query; null for a family's child. */
	deviceId: string | null
	createdAt: Date
}

export interface SeedChild {
	externalId: string
	name: string
	age: number
}

export interface NewChild {
	name: string
	age: number
	externalId?: string
}

interface ChildRow {
	id: string
	external_id: string | null
	name_ciphertext: Uint8Array
	name_nonce: Uint8Array
	name_key_id: string
	age: number
	family_id: string | null
	device_id: string | null
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

	async createInFamily(familyId: string, child: NewChild): Promise<Child> {
		const id = randomUUID()
		const name = this.cipher.encrypt(child.name, nameAad(id))
		const [row] = await this.sql<ChildRow[]>`
			insert into children (id, family_id, external_id, name_ciphertext, name_nonce, name_key_id, age)
			values (${id}, ${familyId}, ${child.externalId ?? null}, ${name.ciphertext}, ${name.nonce}, ${name.keyId}, ${child.age})
			returning *
		`
		return this.toChild(row!)
	}

	/**
	 * The child an unpaired seed toy describes in its query, owned by that toy alone. The toy's
	 * newest name and age win: it is the only one who ever described this child. One statement,
	 * since the id the name's AAD needs is chosen here and kept on conflict.
	 */
	async upsertForDevice(deviceId: string, seed: SeedChild): Promise<Child> {
		const id = randomUUID()
		const name = this.cipher.encrypt(seed.name, nameAad(id))
		const [row] = await this.sql<ChildRow[]>`
			insert into children (id, device_id, external_id, name_ciphertext, name_nonce, name_key_id, age)
			values (${id}, ${deviceId}, ${seed.externalId}, ${name.ciphertext}, ${name.nonce}, ${name.keyId}, ${seed.age})
			on conflict (device_id, external_id) where device_id is not null do update set age = excluded.age
			returning *
		`
		if (row!.id === id) return this.toChild(row!)
		// ? The row existed: its name is sealed under its own id, so seal the new one for that id.
		const renamed = this.cipher.encrypt(seed.name, nameAad(row!.id))
		const [updated] = await this.sql<ChildRow[]>`
			update children set name_ciphertext = ${renamed.ciphertext}, name_nonce = ${renamed.nonce}, name_key_id = ${renamed.keyId}
			where id = ${row!.id}
			returning *
		`
		return this.toChild(updated!)
	}

	/**
	 * Who a paired toy talks to: the child of its family that `externalId` names (a sibling may
	 * share the toy), else the child it is paired with. Never a child of another family, and the
	 * toy's query never changes what a parent stored.
	 */
	async forPairedToy(pairedChildId: string, externalId: string): Promise<Child | null> {
		const [row] = await this.sql<ChildRow[]>`
			select c.* from children p
			join children c on c.id = p.id
				or (p.family_id is not null and c.family_id = p.family_id and c.external_id = ${externalId})
			where p.id = ${pairedChildId}
			order by c.id = p.id
			limit 1
		`
		return row ? this.toChild(row) : null
	}

	async get(id: string): Promise<Child | null> {
		const [row] = await this.sql<ChildRow[]>`select * from children where id = ${id}`
		return row ? this.toChild(row) : null
	}

	/** The child, only if it belongs to `familyId`. */
	async getInFamily(familyId: string, id: string): Promise<Child | null> {
		const [row] = await this.sql<ChildRow[]>`select * from children where id = ${id} and family_id = ${familyId}`
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
		return {
			id: r.id,
			externalId: r.external_id,
			name,
			age: r.age,
			familyId: r.family_id,
			deviceId: r.device_id,
			createdAt: r.created_at,
		}
	}
}
