import { randomUUID } from 'node:crypto'
import type postgres from 'postgres'
import { childNameAad } from './children'
import type { FieldCipher } from './crypto'

// Children as their parents see them: every query is scoped to one family, so an id from another
// family reads as "no such child" (the routes answer 404, never 403, and ids cannot be probed).

export interface ChildProfileRecord {
	id: string
	name: string
	age: number
	birthYear: number | null
	language: string | null
	voice: string | null
	timezone: string | null
	country: string | null
	createdAt: Date
}

export type NewChildProfile = Omit<ChildProfileRecord, 'id' | 'createdAt'>
export type ChildProfilePatch = Partial<NewChildProfile>

interface ProfileRow {
	id: string
	name_ciphertext: Uint8Array
	name_nonce: Uint8Array
	name_key_id: string
	age: number
	birth_year: number | null
	language: string | null
	voice: string | null
	timezone: string | null
	country: string | null
	created_at: Date
}

const COLUMNS = 'id, name_ciphertext, name_nonce, name_key_id, age, birth_year, language, voice, timezone, country, created_at'

// ! A uuid column compared with a malformed id throws in Postgres; such an id can match nothing.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (id: string) => UUID.test(id)

export class FamilyChildRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
	) {}

	async list(familyId: string): Promise<ChildProfileRecord[]> {
		const rows = await this.sql<ProfileRow[]>`
			select ${this.sql.unsafe(COLUMNS)} from children where family_id = ${familyId} order by created_at, id
		`
		return rows.map((r) => this.toProfile(r))
	}

	async get(familyId: string, childId: string): Promise<ChildProfileRecord | null> {
		if (!isUuid(childId)) return null
		const [row] = await this.sql<ProfileRow[]>`
			select ${this.sql.unsafe(COLUMNS)} from children where id = ${childId} and family_id = ${familyId}
		`
		return row ? this.toProfile(row) : null
	}

	/** True when the child exists and belongs to the family. */
	async owns(familyId: string, childId: string): Promise<boolean> {
		if (!isUuid(childId)) return false
		const [row] = await this.sql`select 1 from children where id = ${childId} and family_id = ${familyId}`
		return Boolean(row)
	}

	async create(familyId: string, p: NewChildProfile): Promise<ChildProfileRecord> {
		const id = randomUUID()
		const name = this.cipher.encrypt(p.name, childNameAad(id))
		const [row] = await this.sql<ProfileRow[]>`
			insert into children (id, family_id, name_ciphertext, name_nonce, name_key_id, age, birth_year, language, voice, timezone, country)
			values (${id}, ${familyId}, ${name.ciphertext}, ${name.nonce}, ${name.keyId}, ${p.age}, ${p.birthYear}, ${p.language},
				${p.voice}, ${p.timezone}, ${p.country})
			returning ${this.sql.unsafe(COLUMNS)}
		`
		return this.toProfile(row!)
	}

	async update(familyId: string, childId: string, patch: ChildProfilePatch): Promise<ChildProfileRecord | null> {
		const current = await this.get(familyId, childId)
		if (!current) return null
		const next = { ...current, ...patch }
		const name = patch.name === undefined ? null : this.cipher.encrypt(patch.name, childNameAad(childId))
		const [row] = await this.sql<ProfileRow[]>`
			update children set
				name_ciphertext = coalesce(${name?.ciphertext ?? null}::bytea, name_ciphertext),
				name_nonce = coalesce(${name?.nonce ?? null}::bytea, name_nonce),
				name_key_id = coalesce(${name?.keyId ?? null}::text, name_key_id),
				age = ${next.age}, birth_year = ${next.birthYear}, language = ${next.language}, voice = ${next.voice},
				timezone = ${next.timezone}, country = ${next.country}
			where id = ${childId} and family_id = ${familyId}
			returning ${this.sql.unsafe(COLUMNS)}
		`
		return row ? this.toProfile(row) : null
	}

	private toProfile(r: ProfileRow): ChildProfileRecord {
		return {
			id: r.id,
			name: this.cipher.decrypt({ ciphertext: r.name_ciphertext, nonce: r.name_nonce, keyId: r.name_key_id }, childNameAad(r.id)),
			age: r.age,
			birthYear: r.birth_year,
			language: r.language,
			voice: r.voice,
			timezone: r.timezone,
			country: r.country,
			createdAt: r.created_at,
		}
	}
}
