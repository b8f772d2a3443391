import type postgres from 'postgres'

// The firmware channel (sql/0010): signed releases per board model with their rollout settings,
// and per toy what it was offered and what it runs. Version order is the service's business.

export interface FirmwareRelease {
	id: string
	model: string
	version: string
	size: number
	sha256: string
	signature: string
	keyId: string
	rolloutPercent: number
	paused: boolean
	pausedReason: string | null
	force: boolean
	minVersion: string | null
	createdAt: Date
}

export type NewRelease = Pick<FirmwareRelease, 'model' | 'version' | 'size' | 'sha256' | 'signature' | 'keyId'> & {
	rolloutPercent: number
	force: boolean
	minVersion: string | null
	createdBy: string | null
}

export interface RolloutPatch {
	rolloutPercent?: number
	paused?: boolean
	pausedReason?: string | null
	force?: boolean
	minVersion?: string | null
}

export interface FirmwareDeviceState {
	deviceId: string
	model: string
	releaseId: string | null
	offeredVersion: string | null
	reportedVersion: string | null
	tookAt: Date | null
	rolledBackAt: Date | null
}

export interface RolloutHealth {
	took: number
	rolledBack: number
	silent: number
}

interface ReleaseRow {
	id: string
	model: string
	version: string
	size: string | number
	sha256: string
	signature: string
	key_id: string
	rollout_percent: string | number
	paused: boolean
	paused_reason: string | null
	force: boolean
	min_version: string | null
	created_at: Date
}

const toRelease = (r: ReleaseRow): FirmwareRelease => ({
	id: r.id,
	model: r.model,
	version: r.version,
	size: Number(r.size),
	sha256: r.sha256,
	signature: r.signature,
	keyId: r.key_id,
	rolloutPercent: Number(r.rollout_percent),
	paused: r.paused,
	pausedReason: r.paused_reason,
	force: r.force,
	minVersion: r.min_version,
	createdAt: r.created_at,
})

export class FirmwareRepository {
	constructor(private readonly sql: postgres.Sql) {}

	/** Null when the model already has that version (a release is immutable once published). */
	async create(r: NewRelease): Promise<FirmwareRelease | null> {
		const rows = await this.sql<ReleaseRow[]>`
			insert into firmware_releases (model, version, size, sha256, signature, key_id, rollout_percent, force, min_version, created_by)
			values (${r.model}, ${r.version}, ${r.size}, ${r.sha256}, ${r.signature}, ${r.keyId}, ${r.rolloutPercent}, ${r.force}, ${r.minVersion}, ${r.createdBy})
			on conflict (model, version) do nothing
			returning *
		`
		return rows[0] ? toRelease(rows[0]) : null
	}

	async get(model: string, version: string): Promise<FirmwareRelease | null> {
		const [row] = await this.sql<ReleaseRow[]>`select * from firmware_releases where model = ${model} and version = ${version}`
		return row ? toRelease(row) : null
	}

	async byId(id: string): Promise<FirmwareRelease | null> {
		const [row] = await this.sql<ReleaseRow[]>`select * from firmware_releases where id = ${id}`
		return row ? toRelease(row) : null
	}

	async forModel(model: string): Promise<FirmwareRelease[]> {
		const rows = await this.sql<ReleaseRow[]>`select * from firmware_releases where model = ${model} order by created_at`
		return rows.map(toRelease)
	}

	async list(): Promise<FirmwareRelease[]> {
		const rows = await this.sql<ReleaseRow[]>`select * from firmware_releases order by model, created_at`
		return rows.map(toRelease)
	}

	async update(id: string, p: RolloutPatch): Promise<FirmwareRelease | null> {
		const [row] = await this.sql<ReleaseRow[]>`
			update firmware_releases set
				rollout_percent = coalesce(${p.rolloutPercent ?? null}, rollout_percent),
				paused = coalesce(${p.paused ?? null}, paused),
				paused_reason = case when ${p.pausedReason !== undefined} then ${p.pausedReason ?? null} else paused_reason end,
				force = coalesce(${p.force ?? null}, force),
				min_version = case when ${p.minVersion !== undefined} then ${p.minVersion ?? null} else min_version end
			where id = ${id}
			returning *
		`
		return row ? toRelease(row) : null
	}

	/** Pauses a running rollout; false when it was paused already (someone else said why first). */
	async pauseIfRunning(id: string, reason: string): Promise<boolean> {
		const rows = await this.sql`update firmware_releases set paused = true, paused_reason = ${reason} where id = ${id} and not paused returning id`
		return rows.length > 0
	}

	async deviceState(deviceId: string): Promise<FirmwareDeviceState | null> {
		const [row] = await this.sql<
			{ device_id: string; model: string; release_id: string | null; offered_version: string | null; reported_version: string | null; took_at: Date | null; rolled_back_at: Date | null }[]
		>`select device_id, model, release_id, offered_version, reported_version, took_at, rolled_back_at from firmware_devices where device_id = ${deviceId}`
		if (!row) return null
		return {
			deviceId: row.device_id,
			model: row.model,
			releaseId: row.release_id,
			offeredVersion: row.offered_version,
			reportedVersion: row.reported_version,
			tookAt: row.took_at,
			rolledBackAt: row.rolled_back_at,
		}
	}

	async saveDeviceState(s: FirmwareDeviceState, newOffer: boolean): Promise<void> {
		await this.sql`
			insert into firmware_devices (device_id, model, release_id, offered_version, offered_at, reported_version, took_at, rolled_back_at, last_seen_at)
			values (${s.deviceId}, ${s.model}, ${s.releaseId}, ${s.offeredVersion}, ${newOffer ? new Date() : null}, ${s.reportedVersion}, ${s.tookAt}, ${s.rolledBackAt}, now())
			on conflict (device_id) do update set
				model = excluded.model,
				release_id = excluded.release_id,
				offered_version = excluded.offered_version,
				offered_at = case when ${newOffer} then now() else firmware_devices.offered_at end,
				reported_version = excluded.reported_version,
				took_at = excluded.took_at,
				rolled_back_at = excluded.rolled_back_at,
				last_seen_at = now()
		`
	}

	/** Of the toys that took this release: how many came back on an older one, how many went quiet. */
	async health(releaseId: string, silentHours: number): Promise<RolloutHealth> {
		const [row] = await this.sql<{ took: number; rolled_back: number; silent: number }[]>`
			select
				count(*)::int as took,
				count(*) filter (where rolled_back_at is not null)::int as rolled_back,
				count(*) filter (where rolled_back_at is null and last_seen_at < now() - make_interval(hours => ${silentHours}))::int as silent
			from firmware_devices where release_id = ${releaseId} and took_at is not null
		`
		return { took: row?.took ?? 0, rolledBack: row?.rolled_back ?? 0, silent: row?.silent ?? 0 }
	}
}
