import type postgres from 'postgres'
import type { FieldCipher } from './crypto'

// Parent alerts raised by crisis turns, and by check-ins as a toy that could not prove they were
// the toy (sql/0004). Stored whether or not email is configured: the row is the record a parent's
// app reads; the email is only a nudge to go and look.

export type CrisisKind = 'self_harm' | 'abuse' | 'danger'
export type AlertKind = CrisisKind | 'device_security'

export interface NewAlert {
	familyId: string | null
	childId: string | null
	deviceId: string | null
	kind: AlertKind
	/** What caught it: the local keyword list, the moderation model, or the toy's own check-in. */
	source: 'keyword' | 'moderation' | 'device'
	language: string
	/** The child's words (or what happened to the toy); encrypted at rest. */
	excerpt: string
}

export interface Alert extends NewAlert {
	id: string
	createdAt: Date
	emailedAt: Date | null
	emailError: string | null
}

interface AlertRow {
	id: string
	family_id: string | null
	child_id: string | null
	device_id: string | null
	kind: AlertKind
	source: NewAlert['source']
	language: string
	excerpt_ciphertext: Uint8Array
	excerpt_nonce: Uint8Array
	excerpt_key_id: string
	created_at: Date
	emailed_at: Date | null
	email_error: string | null
}

const excerptAad = (id: string) => `parent_alerts.excerpt:${id}`
/** For the parent side and the re-encrypt job, which read and write the same column. */
export const alertExcerptAad = excerptAad

export class AlertRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
	) {}

	// ? The id may be chosen by the caller so a retried write stores the alert once.
	async create(a: NewAlert, id: string = crypto.randomUUID()): Promise<string> {
		const sealed = this.cipher.encrypt(a.excerpt, excerptAad(id))
		await this.sql`
			insert into parent_alerts (id, family_id, child_id, device_id, kind, source, language,
				excerpt_ciphertext, excerpt_nonce, excerpt_key_id)
			values (${id}, ${a.familyId}, ${a.childId}, ${a.deviceId}, ${a.kind}, ${a.source}, ${a.language},
				${sealed.ciphertext}, ${sealed.nonce}, ${sealed.keyId})
			on conflict (id) do nothing
		`
		return id
	}

	/**
	 * Stores the alert unless one of the same kind was stored for the same toy within
	 * `windowSeconds`: someone hammering a toy's check-in makes one alert, not one per request.
	 * Returns the new alert's id, or null when an earlier one covers it.
	 */
	async createUnlessRecent(a: NewAlert & { deviceId: string }, windowSeconds: number): Promise<string | null> {
		const id = crypto.randomUUID()
		const sealed = this.cipher.encrypt(a.excerpt, excerptAad(id))
		const rows = await this.sql`
			insert into parent_alerts (id, family_id, child_id, device_id, kind, source, language,
				excerpt_ciphertext, excerpt_nonce, excerpt_key_id)
			select ${id}, ${a.familyId}, ${a.childId}, ${a.deviceId}, ${a.kind}, ${a.source}, ${a.language},
				${sealed.ciphertext}, ${sealed.nonce}, ${sealed.keyId}
			where not exists (
				select 1 from parent_alerts
				where device_id = ${a.deviceId} and kind = ${a.kind} and created_at > now() - make_interval(secs => ${windowSeconds})
			)
		`
		return rows.count > 0 ? id : null
	}

	async markEmailed(id: string): Promise<void> {
		await this.sql`update parent_alerts set emailed_at = now(), email_error = null where id = ${id}`
	}

	async markEmailFailed(id: string, error: string): Promise<void> {
		await this.sql`update parent_alerts set email_error = ${error.slice(0, 500)} where id = ${id}`
	}

	async listForDevice(deviceId: string): Promise<Alert[]> {
		const rows = await this.sql<AlertRow[]>`
			select * from parent_alerts where device_id = ${deviceId} order by created_at
		`
		return rows.map((r) => this.toAlert(r))
	}

	async listForChild(childId: string): Promise<Alert[]> {
		const rows = await this.sql<AlertRow[]>`
			select * from parent_alerts where child_id = ${childId} order by created_at
		`
		return rows.map((r) => this.toAlert(r))
	}

	private toAlert(r: AlertRow): Alert {
		const excerpt = this.cipher.decrypt(
			{ ciphertext: r.excerpt_ciphertext, nonce: r.excerpt_nonce, keyId: r.excerpt_key_id },
			excerptAad(r.id),
		)
		return {
			id: r.id,
			familyId: r.family_id,
			childId: r.child_id,
			deviceId: r.device_id,
			kind: r.kind,
			source: r.source,
			language: r.language,
			excerpt,
			createdAt: r.created_at,
			emailedAt: r.emailed_at,
			emailError: r.email_error,
		}
	}
}
