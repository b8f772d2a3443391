import type postgres from 'postgres'
import { AccountTokenRepository } from './account-tokens'
import { AccountRepository } from './accounts'
import { AuditRepository } from './audit'
import { AuthSessionRepository } from './auth-sessions'
import { ConsentRepository } from './consents'
import type { FieldCipher } from './crypto'
import { FamilyRepository } from './families'
import { FamilyChildRepository } from './family-children'
import { FamilyAlertRepository } from './family-alerts'
import { FamilyDeviceRepository } from './family-devices'
import { FamilyProgressRepository } from './family-progress'
import { FamilyTranscriptRepository } from './family-transcripts'
import { FamilyUsageRepository } from './family-usage'

// What the parent side (accounts, children, consent, transcripts, export, deletion) reads and
// writes. Kept apart from `Store` (the toys' side) so the two grow without stepping on each other.

export interface ParentStoreKeys {
	/** Blind index of an email address (keyed hash of its normalised form). */
	emailIndex: (email: string) => Uint8Array
	/** Pseudonym of an id in the audit log. */
	auditRef: (id: string) => string
}

export interface ParentStore {
	accounts: AccountRepository
	sessions: AuthSessionRepository
	links: AccountTokenRepository
	audit: AuditRepository
	families: FamilyRepository
	children: FamilyChildRepository
	consents: ConsentRepository
	devices: FamilyDeviceRepository
	transcripts: FamilyTranscriptRepository
	alerts: FamilyAlertRepository
	usage: FamilyUsageRepository
	progress: FamilyProgressRepository
}

export function createParentStore(sql: postgres.Sql, cipher: FieldCipher, keys: ParentStoreKeys): ParentStore {
	return {
		accounts: new AccountRepository(sql, cipher, keys.emailIndex),
		sessions: new AuthSessionRepository(sql),
		links: new AccountTokenRepository(sql, cipher),
		audit: new AuditRepository(sql, keys.auditRef),
		families: new FamilyRepository(sql, cipher),
		children: new FamilyChildRepository(sql, cipher),
		consents: new ConsentRepository(sql, cipher),
		devices: new FamilyDeviceRepository(sql),
		transcripts: new FamilyTranscriptRepository(sql, cipher),
		alerts: new FamilyAlertRepository(sql, cipher),
		usage: new FamilyUsageRepository(sql),
		progress: new FamilyProgressRepository(sql),
	}
}
