import { randomUUID } from 'node:crypto'
import type postgres from 'postgres'
import { CONSENT_POLICY_VERSION } from '../../gateway/src/safety/consent'
import { FieldCipher } from '../../gateway/src/store/crypto'

// Households as a parent would set them up (a family, its children, its toys), written straight to
// the database the way the gateway stores them: names sealed with the row id as AAD, like
// gateway/src/store/children.ts does. Raw SQL on purpose, so an attack test sets up the same data
// whatever the repositories under test look like.

export interface Household {
	familyId: string
	child(name: string, age: number, externalId?: string): Promise<string>
}

export class Households {
	readonly cipher: FieldCipher

	constructor(
		private readonly sql: postgres.Sql,
		encryptionKeyHex: string,
	) {
		this.cipher = new FieldCipher(Buffer.from(encryptionKeyHex, 'hex'))
	}

	async family(parentEmail?: string): Promise<Household> {
		const familyId = randomUUID()
		const email = parentEmail ? this.cipher.encrypt(parentEmail, `families.parent_email:${familyId}`) : null
		await this.sql`
			insert into families (id, parent_email_ciphertext, parent_email_nonce, parent_email_key_id)
			values (${familyId}, ${email?.ciphertext ?? null}, ${email?.nonce ?? null}, ${email?.keyId ?? null})
		`
		return { familyId, child: (name, age, externalId) => this.child(familyId, name, age, externalId) }
	}

	async child(familyId: string, name: string, age: number, externalId?: string): Promise<string> {
		const id = randomUUID()
		const sealed = this.cipher.encrypt(name, `children.name:${id}`)
		await this.sql`
			insert into children (id, family_id, external_id, name_ciphertext, name_nonce, name_key_id, age)
			values (${id}, ${familyId}, ${externalId ?? null}, ${sealed.ciphertext}, ${sealed.nonce}, ${sealed.keyId}, ${age})
		`
		// a parent who set up a child has given the consents a toy needs to talk (sql/0006)
		for (const kind of ['coppa', 'third_party_ai']) await this.consent(familyId, id, kind)
		return id
	}

	/** A confirmed consent of the current policy, as the parent API records one (store/consents.ts). */
	private async consent(familyId: string, childId: string, kind: string): Promise<void> {
		const id = randomUUID()
		const email = this.cipher.encrypt('parent@example.test', `consents.parent_email:${id}`)
		await this.sql`
			insert into consents (id, family_id, child_id, kind, method, policy_version,
				parent_email_ciphertext, parent_email_nonce, parent_email_key_id, confirmed_at)
			values (${id}, ${familyId}, ${childId}, ${kind}, 'email_plus', ${CONSENT_POLICY_VERSION},
				${email.ciphertext}, ${email.nonce}, ${email.keyId}, now())
		`
	}

	/** A registered toy bound to a child, as a parent's claim leaves it. */
	async pairedToy(deviceId: string, childId: string): Promise<void> {
		await this.sql`
			insert into devices (device_id, paired_child_id) values (${deviceId}, ${childId})
			on conflict (device_id) do update set paired_child_id = excluded.paired_child_id
		`
	}

	/** What the toy remembers about a child (sql/0003 child_summaries, sealed like store/summaries.ts). */
	async remember(childId: string, text: string): Promise<void> {
		const sealed = this.cipher.encrypt(text, `child_summaries:${childId}`)
		await this.sql`
			insert into child_summaries (child_id, ciphertext, nonce, key_id, approx_tokens)
			values (${childId}, ${sealed.ciphertext}, ${sealed.nonce}, ${sealed.keyId}, ${Math.ceil(text.length / 4)})
		`
	}

	async nameAndAge(childId: string): Promise<{ name: string; age: number }> {
		const [row] = await this.sql<{ name_ciphertext: Uint8Array; name_nonce: Uint8Array; name_key_id: string; age: number }[]>`
			select name_ciphertext, name_nonce, name_key_id, age from children where id = ${childId}
		`
		if (!row) throw new Error(`no child ${childId}`)
		const name = this.cipher.decrypt(
			{ ciphertext: row.name_ciphertext, nonce: row.name_nonce, keyId: row.name_key_id },
			`children.name:${childId}`,
		)
		return { name, age: row.age }
	}

	/** Conversations a toy wrote, by child. */
	async conversationsOf(deviceId: string): Promise<string[]> {
		const rows = await this.sql<{ child_id: string }[]>`select child_id from conversations where device_id = ${deviceId}`
		return rows.map((r) => r.child_id)
	}
}
