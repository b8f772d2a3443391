import { createHmac } from 'node:crypto'
import { ChildRepository } from './children'
import { ConversationRepository } from './conversations'
import type { FieldCipher } from './crypto'
import type { Database } from './database'
import { DeviceBindingRepository } from './device-bindings'
import { AdmittedDeviceRepository } from './device-admission'
import { DeviceRepository } from './devices'
import type { RateLimiter } from './rate-limits'
import { createSafetyStore, type SafetyStore } from './safety'
import { PairingRepository } from './pairing'

export interface Store {
	devices: DeviceRepository
	bindings: DeviceBindingRepository
	children: ChildRepository
	conversations: ConversationRepository
	pairing: PairingRepository
	safety: SafetyStore
}

export interface StoreOptions {
	/** Fleet-wide ceiling on new devices (store/device-admission.ts); unset = none. */
	deviceRegistrations?: RateLimiter
}

// ? Keys for the keyed hashes (pairing codes, Client-Ids) derive from the fleet secret, one per
// purpose, so no new secret has to be provisioned and none can stand in for another.
const subkey = (fleetSecret: string, purpose: string) => new Uint8Array(createHmac('sha256', fleetSecret).update(purpose).digest())

export function createStore(db: Database, cipher: FieldCipher, fleetSecret: string, opts: StoreOptions = {}): Store {
	return {
		devices: opts.deviceRegistrations ? new AdmittedDeviceRepository(db.sql, opts.deviceRegistrations) : new DeviceRepository(db.sql),
		bindings: new DeviceBindingRepository(db.sql, cipher, subkey(fleetSecret, 'teddy-client-id-hash')),
		children: new ChildRepository(db.sql, cipher),
		conversations: new ConversationRepository(db.sql, cipher),
		pairing: new PairingRepository(db.sql, subkey(fleetSecret, 'teddy-pairing-code')),
		safety: createSafetyStore(db.sql, cipher),
	}
}

export type { Child, NewChild, SeedChild } from './children'
export type { Message, Role } from './conversations'
export { DecryptionError, EncryptionKeyError, FieldCipher, loadEncryptionKey, loadFieldCipher } from './crypto'
export type { Sealed } from './crypto'
export { type Database, openDatabase } from './database'
export type { Binding, ClientIdCheck } from './device-bindings'
export type { Device } from './devices'
export { MigrationChecksumError, MigrationError, migrate } from './migrate'
export type { SafetyStore } from './safety'
export { MemoryNonceStore, type NonceStore, RedisNonceStore } from './nonces'
export { connectRedis, isRedisReady } from './redis'
export type { Claimant, ClaimOutcome, PairingCode } from './pairing'
export { ChildRepository, ConversationRepository, DeviceBindingRepository, DeviceRepository, PairingRepository }
