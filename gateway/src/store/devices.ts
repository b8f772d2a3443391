import type postgres from 'postgres'

export interface Device {
	deviceId: string
	createdAt: Date
	lastSeenAt: Date
	pairedChildId: string | null
	revokedAt: Date | null
}

interface DeviceRow {
	device_id: string
	created_at: Date
	last_seen_at: Date
	paired_child_id: string | null
	revoked_at: Date | null
}

const toDevice = (r: DeviceRow): Device => ({
	deviceId: r.device_id,
	createdAt: r.created_at,
	lastSeenAt: r.last_seen_at,
	pairedChildId: r.paired_child_id,
	revokedAt: r.revoked_at,
})

export class DeviceRepository {
	constructor(private readonly sql: postgres.Sql) {}

	// A toy that authenticates for the first time is registered (PROTOCOL.md §1); later calls
	// only move last_seen_at. Revocation is kept: a revoked toy stays revoked.
	async upsertSeen(deviceId: string): Promise<Device> {
		const [row] = await this.sql<DeviceRow[]>`
			insert into devices (device_id) values (${deviceId})
			on conflict (device_id) do update set last_seen_at = now()
			returning *
		`
		return toDevice(row!)
	}

	/** Registers a toy before it is first seen (an operator provisioning it); no-op when known. */
	async register(deviceId: string): Promise<void> {
		await this.sql`insert into devices (device_id) values (${deviceId}) on conflict (device_id) do nothing`
	}

	async get(deviceId: string): Promise<Device | null> {
		const [row] = await this.sql<DeviceRow[]>`select * from devices where device_id = ${deviceId}`
		return row ? toDevice(row) : null
	}

	// An unknown device is not revoked: it has simply not been seen yet.
	async isRevoked(deviceId: string): Promise<boolean> {
		const [row] = await this.sql<{ revoked: boolean }[]>`
			select revoked_at is not null as revoked from devices where device_id = ${deviceId}
		`
		return row?.revoked ?? false
	}

	/** Which of these toys are revoked: one query for every connected toy (ws/revocation-sweep.ts). */
	async revokedAmong(deviceIds: string[]): Promise<string[]> {
		if (deviceIds.length === 0) return []
		const rows = await this.sql<{ device_id: string }[]>`
			select device_id from devices where device_id = any(${this.sql.array(deviceIds)}::text[]) and revoked_at is not null
		`
		return rows.map((r) => r.device_id)
	}

	async pair(deviceId: string, childId: string): Promise<void> {
		await this.sql`update devices set paired_child_id = ${childId} where device_id = ${deviceId}`
	}

	async unpair(deviceId: string): Promise<void> {
		await this.sql`update devices set paired_child_id = null where device_id = ${deviceId}`
	}

	/** The firmware version a toy reported (xiaozhi OTA check-in), shown to its parents. */
	async noteFirmware(deviceId: string, version: string): Promise<void> {
		await this.sql`update devices set firmware_version = ${version.slice(0, 64)} where device_id = ${deviceId}`
	}

	async revoke(deviceId: string): Promise<void> {
		await this.sql`
			update devices set revoked_at = coalesce(revoked_at, now()), paired_child_id = null
			where device_id = ${deviceId}
		`
	}
}
