import { AlertRepository } from './alerts'
import type { FieldCipher } from './crypto'
import { FamilyRepository } from './families'
import { ProgrammeRepository } from './programme'
import { SummaryRepository } from './summaries'
import { UsageRepository } from './usage'
import type postgres from 'postgres'

// Everything the safety layer reads and writes, in one bundle so SafeProvider takes one dependency.

export interface SafetyStore {
	families: FamilyRepository
	alerts: AlertRepository
	usage: UsageRepository
	programme: ProgrammeRepository
	summaries: SummaryRepository
}

export function createSafetyStore(sql: postgres.Sql, cipher: FieldCipher): SafetyStore {
	return {
		families: new FamilyRepository(sql, cipher),
		alerts: new AlertRepository(sql, cipher),
		usage: new UsageRepository(sql),
		programme: new ProgrammeRepository(sql),
		summaries: new SummaryRepository(sql, cipher),
	}
}

export type { Alert, AlertKind, CrisisKind, NewAlert } from './alerts'
export type { FamilySettings, NewFamily } from './families'
export type { Episode, Progress } from './programme'
export { NO_USAGE, type Usage, type UsageScope } from './usage'
export { AlertRepository, FamilyRepository, ProgrammeRepository, SummaryRepository, UsageRepository }
