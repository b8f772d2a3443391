import { ChildRepository } from './children'
import { ConversationRepository } from './conversations'
import type { FieldCipher } from './crypto'
import type { Database } from './database'
import { AdmittedDeviceRepository } from './device-admission'
import { DeviceRepository } from './devices'
import type { RateLimiter } from './rate-limits'
import { createSafetyStore, type SafetyStore } from './safety'
import { PairingRepository } from './pairing'

export interface Store {
	devices: DeviceRepository
	children: ChildRepository
	conversations: ConversationRepository
	pairing: PairingRepository
	safety: SafetyStore
}

export interface StoreOptions {
	/** Fleet-wide ceiling on new devices (store/device-admission.ts); unset = none. */
	deviceRegistrations?: RateLimiter
}

export function createStore(db: Database, cipher: FieldCipher, opts: StoreOptions = {}): Store {
	return {
		devices: opts.deviceRegistrations ? new AdmittedDeviceRepository(db.sql, opts.deviceRegistrations) : new DeviceRepository(db.sql),
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
