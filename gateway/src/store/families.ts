import type postgres from 'postgres'
import type { FieldCipher } from './crypto'

// A parent's settings for the toys of their children. Every setting may be null: the gateway's
// configured default applies, so a child with no family at all behaves like an all-null family.

export interface FamilySettings {
	id: string
	timezone: string | null
	dailyTokenBudget: number | null
	dailyLimitMinutes: number | null
	/** Minutes after local midnight; start > end wraps past midnight. */
	quietHours: { startMinute: number; endMinute: number } | null
	playReminderMinutes: number | null
	parentEmail: string | null
	/** Device tools (MCP) the family allows; null = the gateway's default. */
	allowedTools?: string[] | null
	/** Days transcripts and alert excerpts are kept; null = the gateway's default. */
	retentionDays?: number | null
}

export type NewFamily = Partial<Omit<FamilySettings, 'id'>>

/** The settings a parent edits; a field given as null goes back to the gateway's default. */
export type FamilySettingsPatch = Partial<Omit<FamilySettings, 'id' | 'parentEmail'>>

interface FamilyRow {
	id: string
	timezone: string | null
	daily_token_budget: number | null
	daily_limit_minutes: number | null
	quiet_start_minute: number | null
	quiet_end_minute: number | null
	play_reminder_minutes: number | null
	parent_email_ciphertext: Uint8Array | null
	parent_email_nonce: Uint8Array | null
	parent_email_key_id: string | null
	allowed_tools?: string[] | null
	retention_days?: number | null
}

const emailAad = (familyId: string) => `families.parent_email:${familyId}`
/** For the parent side and the re-encrypt job, which read and write the same column. */
export const familyEmailAad = emailAad

export class FamilyRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
	) {}

	async create(f: NewFamily = {}): Promise<FamilySettings> {
		const id = crypto.randomUUID()
		const email = f.parentEmail ? this.cipher.encrypt(f.parentEmail, emailAad(id)) : null
		const [row] = await this.sql<FamilyRow[]>`
			insert into families (id, timezone, daily_token_budget, daily_limit_minutes, quiet_start_minute,
				quiet_end_minute, play_reminder_minutes, parent_email_ciphertext, parent_email_nonce, parent_email_key_id)
			values (${id}, ${f.timezone ?? null}, ${f.dailyTokenBudget ?? null}, ${f.dailyLimitMinutes ?? null},
				${f.quietHours?.startMinute ?? null}, ${f.quietHours?.endMinute ?? null}, ${f.playReminderMinutes ?? null},
				${email?.ciphertext ?? null}, ${email?.nonce ?? null}, ${email?.keyId ?? null})
			returning *
		`
		return this.toFamily(row!)
	}

	async addChild(familyId: string, childId: string): Promise<void> {
		await this.sql`update children set family_id = ${familyId} where id = ${childId}`
	}

	async get(familyId: string): Promise<FamilySettings | null> {
		const [row] = await this.sql<FamilyRow[]>`select * from families where id = ${familyId}`
		return row ? this.toFamily(row) : null
	}

	async updateSettings(familyId: string, p: FamilySettingsPatch): Promise<FamilySettings | null> {
		const set: Record<string, unknown> = {}
		if (p.timezone !== undefined) set.timezone = p.timezone
		if (p.dailyTokenBudget !== undefined) set.daily_token_budget = p.dailyTokenBudget
		if (p.dailyLimitMinutes !== undefined) set.daily_limit_minutes = p.dailyLimitMinutes
		if (p.quietHours !== undefined) {
			set.quiet_start_minute = p.quietHours?.startMinute ?? null
			set.quiet_end_minute = p.quietHours?.endMinute ?? null
		}
		if (p.playReminderMinutes !== undefined) set.play_reminder_minutes = p.playReminderMinutes
		if (p.allowedTools !== undefined) set.allowed_tools = p.allowedTools
		if (p.retentionDays !== undefined) set.retention_days = p.retentionDays
		if (Object.keys(set).length === 0) return this.get(familyId)
		const [row] = await this.sql<FamilyRow[]>`update families set ${this.sql(set)} where id = ${familyId} returning *`
		return row ? this.toFamily(row) : null
	}

	/** The address crisis alerts go to: the family's verified parent address (null: none). */
	async setParentEmail(familyId: string, email: string | null): Promise<void> {
		const sealed = email ? this.cipher.encrypt(email, emailAad(familyId)) : null
		await this.sql`
			update families set parent_email_ciphertext = ${sealed?.ciphertext ?? null}, parent_email_nonce = ${sealed?.nonce ?? null},
				parent_email_key_id = ${sealed?.keyId ?? null}
			where id = ${familyId}
		`
	}

	/** The family of a child, or null when the child has none (or does not exist). */
	async ofChild(childId: string): Promise<FamilySettings | null> {
		const [row] = await this.sql<FamilyRow[]>`
			select f.* from families f join children c on c.family_id = f.id where c.id = ${childId}
		`
		return row ? this.toFamily(row) : null
	}

	private toFamily(r: FamilyRow): FamilySettings {
		const parentEmail =
			r.parent_email_ciphertext && r.parent_email_nonce && r.parent_email_key_id
				? this.cipher.decrypt(
						{ ciphertext: r.parent_email_ciphertext, nonce: r.parent_email_nonce, keyId: r.parent_email_key_id },
						emailAad(r.id),
					)
				: null
		return {
			id: r.id,
			timezone: r.timezone,
			dailyTokenBudget: r.daily_token_budget,
			dailyLimitMinutes: r.daily_limit_minutes,
			quietHours:
				r.quiet_start_minute === null || r.quiet_end_minute === null
					? null
					: { startMinute: r.quiet_start_minute, endMinute: r.quiet_end_minute },
			playReminderMinutes: r.play_reminder_minutes,
			parentEmail,
			allowedTools: r.allowed_tools ?? null,
			retentionDays: r.retention_days ?? null,
		}
	}
}
