import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { type Database, openDatabase } from '../../gateway/src/store/database'

const HOW_TO_START = 'start the test services with: eval "$(bash scripts/services.sh)"'

// Integration tests need real servers; a missing variable is a failure, never a silent skip.
export function requireEnv(name: 'TEST_DATABASE_URL' | 'TEST_REDIS_URL'): string {
	const value = process.env[name]
	if (!value) throw new Error(`${name} is not set: ${HOW_TO_START}`)
	return value
}

export interface TestDatabase {
	url: string
	drop(): Promise<void>
}

// A fresh database per test file (or per test) so files can run in parallel without sharing state.
export async function createTestDatabase(): Promise<TestDatabase> {
	const base = requireEnv('TEST_DATABASE_URL')
	const name = `teddy_test_${randomBytes(6).toString('hex')}`
	const admin = postgres(base, { max: 1, onnotice: () => {} })
	try {
		await admin`create database ${admin(name)}`
	} finally {
		await admin.end()
	}
	const url = new URL(base)
	url.pathname = `/${name}`
	return {
		url: url.toString(),
		async drop() {
			const admin = postgres(base, { max: 1, onnotice: () => {} })
			try {
				await admin`drop database if exists ${admin(name)} with (force)`
			} finally {
				await admin.end()
			}
		},
	}
}

export type DatabaseKind = Database['kind']

export interface OpenedTestDatabase {
	db: Database
	// a second, independent connection to the same database (real Postgres only)
	url?: string
	dataDir: string
	cleanup(): Promise<void>
}

// Opens either a fresh real-Postgres database or a fresh embedded PGlite in a temp dir.
export async function openTestDatabase(kind: DatabaseKind): Promise<OpenedTestDatabase> {
	const dataDir = await mkdtemp(join(tmpdir(), 'teddy-store-'))
	if (kind === 'embedded') {
		const db = await openDatabase({ dataDir })
		return {
			db,
			dataDir,
			async cleanup() {
				await db.close()
				await rm(dataDir, { recursive: true, force: true })
			},
		}
	}
	const testDb = await createTestDatabase()
	const db = await openDatabase({ databaseUrl: testDb.url, dataDir })
	return {
		db,
		url: testDb.url,
		dataDir,
		async cleanup() {
			await db.close()
			await testDb.drop()
			await rm(dataDir, { recursive: true, force: true })
		},
	}
}

export const DATABASE_KINDS: DatabaseKind[] = ['postgres', 'embedded']
