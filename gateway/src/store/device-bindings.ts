import { createHmac, timingSafeEqual } from 'node:crypto'
import type postgres from 'postgres'
import type { FieldCipher } from './crypto'

// What a toy can prove at check-in (sql/0004, docs/security.md): the Client-Id it presented first
// (trust on first use), whether it has proved the device key of PROTOCOL.md §1, and a vendor HMAC
// key an operator provisioned for it. The Client-Id is kept as a keyed hash; the key, sealed.

export interface Binding {
	deviceId: string
	/** False until a check-in presented a Client-Id (or after an operator's unbind). */
	bound: boolean
	boundAt: Date | null
	deviceKeyProvenAt: Date | null
	hasProvisionedKey: boolean
}

export type ClientIdCheck = 'match' | 'mismatch' | 'unbound'

interface BindingRow {
	device_id: string
	client_id_hash: Uint8Array | null
	bound_at: Date | null
	device_key_proven_at: Date | null
	hmac_key_ciphertext: Uint8Array | null
	hmac_key_nonce: Uint8Array | null
	hmac_key_key_id: string | null
}

export const deviceKeyAad = (deviceId: string) => `device_bindings.hmac_key:${deviceId}`

const toBinding = (r: BindingRow): Binding => ({
	deviceId: r.device_id,
	bound: r.client_id_hash !== null,
	boundAt: r.bound_at,
	deviceKeyProvenAt: r.device_key_proven_at,
	hasProvisionedKey: r.hmac_key_ciphertext !== null,
})

export class DeviceBindingRepository {
	constructor(
		private readonly sql: postgres.Sql,
		private readonly cipher: FieldCipher,
		/** Keys the Client-Id hash; derive it from the fleet secret. */
		private readonly clientIdKey: Uint8Array,
	) {}

	async get(deviceId: string): Promise<Binding | null> {
		const [row] = await this.sql<BindingRow[]>`select * from device_bindings where device_id = ${deviceId}`
		return row ? toBinding(row) : null
	}

	/** Compares a presented Client-Id with the bound one, in constant time. */
	async check(deviceId: string, clientId: string | null): Promise<ClientIdCheck> {
		const [row] = await this.sql<{ client_id_hash: Uint8Array | null }[]>`
			select client_id_hash from device_bindings where device_id = ${deviceId}
		`
		if (!row?.client_id_hash) return 'unbound'
		if (clientId === null) return 'mismatch'
		return timingSafeEqual(Buffer.from(row.client_id_hash), this.hash(clientId)) ? 'match' : 'mismatch'
	}

	/**
	 * Trust on first use: binds `clientId` unless the toy is already bound, atomically, and says how
	 * the presented id compares with the binding that holds afterwards. The device must exist.
	 */
	async bindFirst(deviceId: string, clientId: string): Promise<ClientIdCheck> {
		const hash = this.hash(clientId)
		const [row] = await this.sql<{ client_id_hash: Uint8Array }[]>`
			insert into device_bindings (device_id, client_id_hash, bound_at) values (${deviceId}, ${hash}, now())
			on conflict (device_id) do update set client_id_hash = excluded.client_id_hash, bound_at = now(), updated_at = now()
				where device_bindings.client_id_hash is null
			returning client_id_hash
		`
		if (row) return 'match'
		// ? already bound (perhaps a moment ago by a concurrent check-in): compare with that binding
		return this.check(deviceId, clientId)
	}

	/** Binds `clientId` whatever was bound before: only for a toy that proved its device key. */
	async rebind(deviceId: string, clientId: string): Promise<void> {
		const hash = this.hash(clientId)
		await this.sql`
			insert into device_bindings (device_id, client_id_hash, bound_at) values (${deviceId}, ${hash}, now())
			on conflict (device_id) do update set client_id_hash = excluded.client_id_hash, bound_at = now(), updated_at = now()
		`
	}

	/** Operator reset (a toy whose flash was wiped has a new Client-Id): the next check-in binds again. */
	async unbind(deviceId: string): Promise<void> {
		await this.sql`
			update device_bindings set client_id_hash = null, bound_at = null, updated_at = now() where device_id = ${deviceId}
		`
	}

	/** The toy proved the device key of PROTOCOL.md §1: from now on a wrong HMAC from it is refused. */
	async markDeviceKeyProven(deviceId: string): Promise<void> {
		await this.sql`
			insert into device_bindings (device_id, device_key_proven_at) values (${deviceId}, now())
			on conflict (device_id) do update set device_key_proven_at = coalesce(device_bindings.device_key_proven_at, now()), updated_at = now()
		`
	}

	/** Operator provisioning of a vendor eFuse HMAC key for one toy. The device must exist. */
	async provisionKey(deviceId: string, key: Uint8Array): Promise<void> {
		const sealed = this.cipher.encrypt(Buffer.from(key).toString('hex'), deviceKeyAad(deviceId))
		await this.sql`
			insert into device_bindings (device_id, hmac_key_ciphertext, hmac_key_nonce, hmac_key_key_id)
			values (${deviceId}, ${sealed.ciphertext}, ${sealed.nonce}, ${sealed.keyId})
			on conflict (device_id) do update set hmac_key_ciphertext = excluded.hmac_key_ciphertext,
				hmac_key_nonce = excluded.hmac_key_nonce, hmac_key_key_id = excluded.hmac_key_key_id, updated_at = now()
		`
	}

	async provisionedKey(deviceId: string): Promise<Buffer | null> {
		const [row] = await this.sql<BindingRow[]>`
			select * from device_bindings where device_id = ${deviceId} and hmac_key_ciphertext is not null
		`
		if (!row?.hmac_key_ciphertext || !row.hmac_key_nonce || !row.hmac_key_key_id) return null
		const hex = this.cipher.decrypt(
			{ ciphertext: row.hmac_key_ciphertext, nonce: row.hmac_key_nonce, keyId: row.hmac_key_key_id },
			deviceKeyAad(deviceId),
		)
		return Buffer.from(hex, 'hex')
	}

	private hash(clientId: string): Buffer {
		return createHmac('sha256', this.clientIdKey).update(`teddy-client-id|${clientId}`).digest()
	}
}
