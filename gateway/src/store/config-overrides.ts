import type postgres from 'postgres'

// Operator-set overrides of the device config (sql/0010): per board model or per family.

export type OverrideScope = 'model' | 'family'

export interface ConfigOverride {
	scope: OverrideScope
	key: string
	settings: Record<string, unknown>
	updatedAt: Date
}

interface Row {
	scope: OverrideScope
	key: string
	settings: Record<string, unknown>
	updated_at: Date
}

const toOverride = (r: Row): ConfigOverride => ({ scope: r.scope, key: r.key, settings: r.settings, updatedAt: r.updated_at })

export class ConfigOverrideRepository {
	constructor(private readonly sql: postgres.Sql) {}

	async get(scope: OverrideScope, key: string): Promise<ConfigOverride | null> {
		const [row] = await this.sql<Row[]>`select scope, key, settings, updated_at from config_overrides where scope = ${scope} and key = ${key}`
		return row ? toOverride(row) : null
	}

	async list(): Promise<ConfigOverride[]> {
		const rows = await this.sql<Row[]>`select scope, key, settings, updated_at from config_overrides order by scope, key`
		return rows.map(toOverride)
	}

	async put(scope: OverrideScope, key: string, settings: Record<string, unknown>, by: string | null): Promise<ConfigOverride> {
		const [row] = await this.sql<Row[]>`
			insert into config_overrides (scope, key, settings, updated_by) values (${scope}, ${key}, ${this.sql.json(settings as postgres.JSONValue)}, ${by})
			on conflict (scope, key) do update set settings = excluded.settings, updated_by = excluded.updated_by, updated_at = now()
			returning scope, key, settings, updated_at
		`
		return toOverride(row!)
	}

	async remove(scope: OverrideScope, key: string): Promise<boolean> {
		const rows = await this.sql`delete from config_overrides where scope = ${scope} and key = ${key} returning key`
		return rows.length > 0
	}
}
