import { afterAll, expect, test } from 'bun:test'
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, type TestDatabase } from '../support/databases'
import { startGatewayProcess } from '../support/gateway-process'

// DATA_DIR holds the embedded database (children's data), the generated fleet secret and the
// encryption key: another user on the machine must not be able to read any of it.

const roots: string[] = []
let db: TestDatabase | undefined

afterAll(async () => {
	for (const root of roots) await rm(root, { recursive: true, force: true })
	await db?.drop()
})

async function tempRoot(): Promise<string> {
	const root = await mkdtemp(join(tmpdir(), 'teddy-datadir-'))
	// the temp root itself is readable by others, like a real /var/lib or a volume mount would be
	await chmod(root, 0o755)
	roots.push(root)
	return root
}

/** Every path under `dir` (itself included) whose mode gives group or others any access. */
async function exposed(dir: string): Promise<string[]> {
	const out: string[] = []
	const visit = async (path: string) => {
		const s = await stat(path)
		if (s.mode & 0o077) out.push(`${path} ${(s.mode & 0o777).toString(8)}`)
		if (s.isDirectory()) for (const name of await readdir(path)) await visit(join(path, name))
	}
	await visit(dir)
	return out
}

test('a new DATA_DIR (embedded database, secret, key) is created private: 0700, nothing readable by others', async () => {
	const dataDir = join(await tempRoot(), 'fresh', 'data')
	const gw = await startGatewayProcess({ DATA_DIR: dataDir }, { startTimeoutMs: 90_000 })
	try {
		expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
		expect((await readdir(join(dataDir, 'pg'))).length).toBeGreaterThan(0)
		expect(await exposed(dataDir)).toEqual([])
	} finally {
		await gw.stop()
	}
}, 120_000)

test('an existing DATA_DIR left open by an older version is closed at start', async () => {
	db = await createTestDatabase()
	const dataDir = join(await tempRoot(), 'data')
	await mkdir(join(dataDir, 'pg'), { recursive: true, mode: 0o755 })
	await chmod(dataDir, 0o755)
	await writeFile(join(dataDir, 'pg', 'old-file'), 'rows', { mode: 0o644 })
	const gw = await startGatewayProcess({ DATA_DIR: dataDir, DATABASE_URL: db.url })
	try {
		expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
		expect(await exposed(dataDir)).toEqual([])
	} finally {
		await gw.stop()
	}
})
