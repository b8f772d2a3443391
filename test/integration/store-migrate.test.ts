import { afterEach, describe, expect, test } from 'bun:test'
import { appendFile, copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import {
	DEFAULT_MIGRATIONS_DIR,
	MigrationChecksumError,
	MigrationError,
	migrate,
} from '../../gateway/src/store/migrate'
import { DATABASE_KINDS, type OpenedTestDatabase, openTestDatabase } from '../support/databases'

const repoMigrations = (await readdir(DEFAULT_MIGRATIONS_DIR))
	.filter((n) => n.endsWith('.sql'))
	.sort()
	.map((n) => n.slice(0, -4))

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
	for (const fn of cleanups.splice(0).reverse()) await fn()
})

async function fresh(kind: OpenedTestDatabase['db']['kind']): Promise<OpenedTestDatabase> {
	const opened = await openTestDatabase(kind)
	cleanups.push(opened.cleanup)
	return opened
}

// A scratch copy of the repo's migrations that a test may edit or extend.
async function scratchMigrations(): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'teddy-sql-'))
	cleanups.push(() => rm(dir, { recursive: true, force: true }))
	for (const name of await readdir(DEFAULT_MIGRATIONS_DIR)) {
		await copyFile(join(DEFAULT_MIGRATIONS_DIR, name), join(dir, name))
	}
	return dir
}

// bunfig's [test] timeout is not applied by Bun 1.4.5; a fresh PGlite alone takes 1-4 s
const SLOW = 30_000

const nextName = (suffix: string) => `${String(repoMigrations.length + 1).padStart(4, '0')}_${suffix}`

describe.each(DATABASE_KINDS)('migrate on %s', (kind) => {
	test('applies every migration on an empty database, then nothing on a second run', async () => {
		const { db } = await fresh(kind)
		expect(await migrate(db.sql)).toEqual({ applied: repoMigrations })
		expect(await migrate(db.sql)).toEqual({ applied: [] })
		const rows = await db.sql<{ version: number; name: string; checksum: string }[]>`
			select version, name, checksum from schema_migrations order by version
		`
		expect(rows.map((r) => r.name)).toEqual(repoMigrations)
		expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true)
		const tables = await db.sql<{ table_name: string }[]>`
			select table_name from information_schema.tables where table_schema = 'public' order by table_name
		`
		expect(tables.map((t) => t.table_name)).toEqual([
			'account_tokens',
			'audit_log',
			'auth_sessions',
			'child_progress',
			'child_summaries',
			'children',
			'consents',
			'conversations',
			'device_bindings',
			'devices',
			'episodes',
			'families',
			'maintenance_runs',
			'messages',
			'pairing_codes',
			'parent_alerts',
			'parents',
			'refresh_tokens',
			'schema_migrations',
			'seasons',
			'usage_daily',
		])
	}, SLOW)

	test('two gateways migrating at once apply each migration exactly once', async () => {
		const opened = await fresh(kind)
		// real Postgres: a second, independent client; embedded: PGlite is one process, so two
		// concurrent callers share its single connection
		const other = opened.url ? postgres(opened.url, { max: 2, onnotice: () => {} }) : opened.db.sql
		if (opened.url) cleanups.push(() => other.end())
		const [a, b] = await Promise.all([migrate(opened.db.sql), migrate(other)])
		expect([...a.applied, ...b.applied].sort()).toEqual(repoMigrations)
		const [{ count }] = await opened.db.sql<{ count: number }[]>`select count(*)::int as count from schema_migrations`
		expect(count).toBe(repoMigrations.length)
	}, SLOW)

	test('refuses to run when an applied migration was edited, naming the file', async () => {
		const { db } = await fresh(kind)
		await migrate(db.sql)
		const dir = await scratchMigrations()
		await appendFile(join(dir, `${repoMigrations[0]}.sql`), '-- sneaky edit\n')
		const error = await migrate(db.sql, dir).catch((e: unknown) => e)
		expect(error).toBeInstanceOf(MigrationChecksumError)
		expect((error as Error).message).toContain(`${repoMigrations[0]}.sql`)
	}, SLOW)

	test('refuses a gap in the numbering before touching the database', async () => {
		const { db } = await fresh(kind)
		const dir = await scratchMigrations()
		await writeFile(join(dir, `${String(repoMigrations.length + 2).padStart(4, '0')}_skip_one.sql`), 'select 1;\n')
		const error = await migrate(db.sql, dir).catch((e: unknown) => e)
		expect(error).toBeInstanceOf(MigrationError)
		expect((error as Error).message).toContain('contiguous')
		const [{ exists }] = await db.sql<{ exists: boolean }[]>`select to_regclass('devices') is not null as exists`
		expect(exists).toBe(false)
	}, SLOW)

	test('applies a later migration once and rolls back one that fails', async () => {
		const { db } = await fresh(kind)
		const dir = await scratchMigrations()
		await writeFile(join(dir, `${nextName('add_note')}.sql`), 'alter table devices add column note text;\n')
		expect(await migrate(db.sql, dir)).toEqual({ applied: [...repoMigrations, nextName('add_note')] })
		const broken = `${String(repoMigrations.length + 2).padStart(4, '0')}_break_things`
		await writeFile(join(dir, `${broken}.sql`), 'create table half_done (id int);\nselect 1 / 0;\n')
		// ! not expect(...).rejects: while Bun awaits that, the in-process PGlite socket server's
		// setImmediate callbacks stall (~1 s per round trip), so embedded tests crawl or time out
		const error = await migrate(db.sql, dir).catch((e: unknown) => e)
		expect(String(error)).toContain('division by zero')
		const [state] = await db.sql<{ table: string | null; recorded: number }[]>`
			select to_regclass('half_done')::text as table,
				(select count(*)::int from schema_migrations where name = ${broken}) as recorded
		`
		expect(state).toEqual({ table: null, recorded: 0 })
	}, SLOW)
})
