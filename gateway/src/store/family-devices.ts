import type postgres from 'postgres'

// The toys of a family: those paired to one of its children. Scoped like every parent-side query.

export interface FamilyDevice {
	deviceId: string
	childId: string
	createdAt: Date
	lastSeenAt: Date
	firmwareVersion: string | null
}

interface DeviceRow {
	device_id: string
	paired_child_id: string
	created_at: Date
	last_seen_at: Date
	firmware_version?: string | null
}

const toDevice = (r: DeviceRow): FamilyDevice => ({
	deviceId: r.device_id,
	childId: r.paired_child_id,
	createdAt: r.created_at,
	lastSeenAt: r.last_seen_at,
	firmwareVersion: r.firmware_version ?? null,
})

export class FamilyDeviceRepository {
	constructor(private readonly sql: postgres.Sql) {}

	async ofChild(childId: string): Promise<string[]> {
		const rows = await this.sql<{ device_id: string }[]>`select device_id from devices where paired_child_id = ${childId}`
		return rows.map((r) => r.device_id)
	}

	async ofFamily(familyId: string): Promise<FamilyDevice[]> {
		const rows = await this.sql<DeviceRow[]>`
			select d.* from devices d join children c on c.id = d.paired_child_id
			where c.family_id = ${familyId} order by d.created_at, d.device_id
		`
		return rows.map(toDevice)
	}

	/** The family's toy by id; null when it is not paired to one of the family's children. */
	async get(familyId: string, deviceId: string): Promise<FamilyDevice | null> {
		const [row] = await this.sql<DeviceRow[]>`
			select d.* from devices d join children c on c.id = d.paired_child_id
			where d.device_id = ${deviceId} and c.family_id = ${familyId}
		`
		return row ? toDevice(row) : null
	}
}
