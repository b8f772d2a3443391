import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type postgres from 'postgres'
import { log } from '../obs/logger'
import { transaction } from './transaction'

// Every gateway replica runs migrate() on start; this lock makes them take turns. The value is
// arbitrary but fixed forever: changing it would let an old and a new replica migrate at once.
const MIGRATION_LOCK_ID = '7366353906473502001'

const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../sql', import.meta.url))

export interface MigrationFile {
	version: number
	name: string
	text: string
	checksum: string
}

export class MigrationError extends Error {
	override name = 'MigrationError'
}

// A landed migration was edited: the database no longer matches what the file says it ran.
export class MigrationChecksumError extends MigrationError {
	override name = 'MigrationChecksumError'
	constructor(
		readonly file: string,
		readonly recorded: string,
		readonly onDisk: string,
	) {
		super(
			`migration ${file} was edited after it was applied (recorded sha256 ${recorded}, file has ${onDisk}); ` +
				'migrations are forward-only: restore the file and add a new one',
		)
	}
}

export async function readMigrations(dir: string): Promise<MigrationFile[]> {
	const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort()
	const files: MigrationFile[] = []
	for (const name of names) {
		const match = FILE_PATTERN.exec(name)
		// a misnamed file would otherwise be skipped silently and never run
		if (!match) throw new MigrationError(`${join(dir, name)}: migration files must be named NNNN_verb_noun.sql`)
		const bytes = await readFile(join(dir, name))
		const text = bytes.toString('utf8')
		// CRLF from a Windows checkout would change the checksum and look like an edit
		if (text.includes('\r')) throw new MigrationError(`${name}: use LF line endings`)
		const version = Number(match[1])
		const expected = files.length + 1
		if (version !== expected) {
			throw new MigrationError(
				`${name}: expected migration ${String(expected).padStart(4, '0')} next; numbering must be contiguous from 0001`,
			)
		}
		files.push({
			version,
			name: name.slice(0, -'.sql'.length),
			text,
			checksum: createHash('sha256').update(bytes).digest('hex'),
		})
	}
	return files
}

// Applies each migration not yet recorded in schema_migrations, each in its own transaction.
export async function migrate(sql: postgres.Sql, dir = DEFAULT_MIGRATIONS_DIR): Promise<{ applied: string[] }> {
	const files = await readMigrations(dir)
	await transaction(sql, async (tx) => {
		await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID}::bigint)`
		await tx`
			create table if not exists schema_migrations (
				version int primary key,
				name text not null,
				checksum text not null,
				applied_at timestamptz not null default now()
			)
		`
	})
	const applied: string[] = []
	for (const file of files) {
		const ran = await transaction(sql, async (tx) => {
			await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID}::bigint)`
			// re-read under the lock: another replica may have applied it while we waited
			const [row] = await tx<{ checksum: string }[]>`
				select checksum from schema_migrations where version = ${file.version}
			`
			if (row) {
				if (row.checksum !== file.checksum) {
					throw new MigrationChecksumError(`${file.name}.sql`, row.checksum, file.checksum)
				}
				return false
			}
			// ! The one place raw SQL text runs: a migration is a reviewed file from the repo, may hold
			// several statements (simple query protocol), and must not contain BEGIN/COMMIT itself.
			await tx.unsafe(file.text)
			await tx`
				insert into schema_migrations (version, name, checksum)
				values (${file.version}, ${file.name}, ${file.checksum})
			`
			return true
		})
		if (ran) {
			applied.push(file.name)
			log.info({ migration: file.name }, 'applied migration')
		}
	}
	await warnIfDatabaseIsNewer(sql, files.length)
	return { applied }
}

// During a rolling deploy old replicas meet a newer schema; that is expected, so only warn.
async function warnIfDatabaseIsNewer(sql: postgres.Sql, known: number): Promise<void> {
	const [row] = await sql<{ max: number | null }[]>`select max(version) as max from schema_migrations`
	if (row?.max != null && row.max > known) {
		log.warn({ databaseVersion: row.max, codeVersion: known }, 'database schema is newer than this gateway')
	}
}
