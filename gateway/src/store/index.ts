import { ChildRepository } from './children'
import { ConversationRepository } from './conversations'
import type { FieldCipher } from './crypto'
import type { Database } from './database'
import { DeviceRepository } from './devices'
import { createSafetyStore, type SafetyStore } from './safety'
import { PairingRepository } from './pairing'

export interface Store {
	devices: DeviceRepository
	children: ChildRepository
	conversations: ConversationRepository
	pairing: PairingRepository
	safety: SafetyStore
}

export function createStore(db: Database, cipher: FieldCipher): Store {
	return {
		devices: new DeviceRepository(db.sql),
		children: new ChildRepository(db.sql, cipher),
		conversations: new ConversationRepository(db.sql, cipher),
		pairing: new PairingRepository(db.sql),
		safety: createSafetyStore(db.sql, cipher),
	}
}

export type { Child, SeedChild } from './children'
export type { Message, Role } from './conversations'
export { DecryptionError, EncryptionKeyError, FieldCipher, loadEncryptionKey, loadFieldCipher } from './crypto'
export type { Sealed } from './crypto'
export { type Database, openDatabase } from './database'
export type { Device } from './devices'
export { MigrationChecksumError, MigrationError, migrate } from './migrate'
export type { SafetyStore } from './safety'
export { MemoryNonceStore, type NonceStore, RedisNonceStore } from './nonces'
export { connectRedis, isRedisReady } from './redis'
export type { ClaimOutcome, PairingCode } from './pairing'
export { ChildRepository, ConversationRepository, DeviceRepository, PairingRepository }
