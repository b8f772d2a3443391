import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { $ } from 'bun'
import postgres from 'postgres'
import { ChildRepository, ConversationRepository, FieldCipher, migrate } from '../../gateway/src/store'
import { createTestDatabase, type TestDatabase } from '../support/databases'

// The restore drill (issue 14): scripts/backup.sh writes an age-encrypted dump, old backups expire
// with the retention window, and scripts/restore.sh brings it back into a fresh database where a
// conversation reads back exactly as it was said.

const ROOT = join(import.meta.dir, '..', '..')
const cipher = new FieldCipher(randomBytes(32))
let source: TestDatabase
let target: TestDatabase
let dir: string
let identity: string
let recipient: string
let conversationId: string

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'teddy-backup-'))
	identity = join(dir, 'key.txt')
	await $`age-keygen -o ${identity}`.quiet()
	recipient = /public key: (age1\w+)/.exec(await readFile(identity, 'utf8'))![1]!
	source = await createTestDatabase()
	target = await createTestDatabase()
	const sql = postgres(source.url, { max: 1, onnotice: () => {} })
	try {
		await migrate(sql)
		await sql`insert into devices (device_id) values ('drill-toy')`
		const child = await new ChildRepository(sql, cipher).upsertForDevice('drill-toy', { externalId: 'drill-child', name: 'Mia', age: 6 })
		const conversations = new ConversationRepository(sql, cipher)
		conversationId = await conversations.start('drill-toy', child.id)
		await conversations.append(conversationId, 'child', 'my favourite colour is green')
		await conversations.append(conversationId, 'assistant', 'Green like leaves!')
	} finally {
		await sql.end()
	}
})

afterAll(async () => {
	await source?.drop()
	await target?.drop()
	await rm(dir, { recursive: true, force: true })
})

const backup = (env: Record<string, string>) =>
	$`bash ${join(ROOT, 'scripts/backup.sh')}`.env({ PATH: process.env.PATH!, ...env }).quiet().nothrow()

describe('backup and restore', () => {
	test('a backup is encrypted, expires old backups, and restores into a fresh database readable as before', async () => {
		const backups = join(dir, 'backups')
		await $`mkdir -p ${backups}`
		// A backup from long before the retention window, and one inside it.
		await writeFile(join(backups, 'teddy-20200101T000000Z.dump.age'), 'old')
		const recent = new Date(Date.now() - 2 * 86_400_000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
		await writeFile(join(backups, `teddy-${recent}.dump.age`), 'recent')

		const made = await backup({ DATABASE_URL: source.url, BACKUP_DIR: backups, BACKUP_AGE_RECIPIENT: recipient, BACKUP_RETENTION_DAYS: '30' })
		expect(made.exitCode).toBe(0)
		const file = made.stdout.toString().trim()
		const bytes = await readFile(file)
		expect(bytes.subarray(0, 21).toString()).toBe('age-encryption.org/v1')
		expect(bytes.includes(Buffer.from('PGDMP'))).toBe(false)
		const left = (await $`ls ${backups}`.text()).split('\n').filter((f) => f.endsWith('.dump.age'))
		expect(left).not.toContain('teddy-20200101T000000Z.dump.age')
		expect(left).toContain(`teddy-${recent}.dump.age`)

		const restored = await $`bash ${join(ROOT, 'scripts/restore.sh')} ${file} ${target.url}`
			.env({ PATH: process.env.PATH!, BACKUP_AGE_IDENTITY: identity })
			.quiet()
			.nothrow()
		expect(restored.stderr.toString()).toBe('')
		expect(restored.exitCode).toBe(0)
		const sql = postgres(target.url, { max: 1, onnotice: () => {} })
		try {
			const messages = await new ConversationRepository(sql, cipher).list(conversationId)
			expect(messages.map((m) => [m.role, m.text])).toEqual([
				['child', 'my favourite colour is green'],
				['assistant', 'Green like leaves!'],
			])
			// The restored schema is the migrated one: the gateway's migrate() finds nothing to do.
			expect((await migrate(sql)).applied).toEqual([])
		} finally {
			await sql.end()
		}

		// A restore never merges into a database that has data, and a tampered backup is refused.
		const again = await $`bash ${join(ROOT, 'scripts/restore.sh')} ${file} ${target.url}`
			.env({ PATH: process.env.PATH!, BACKUP_AGE_IDENTITY: identity })
			.quiet()
			.nothrow()
		expect(again.exitCode).not.toBe(0)
		expect(again.stderr.toString()).toContain('not empty')
		await writeFile(file, Buffer.concat([bytes, Buffer.from('x')]))
		const tampered = await $`bash ${join(ROOT, 'scripts/restore.sh')} ${file} ${target.url}`
			.env({ PATH: process.env.PATH!, BACKUP_AGE_IDENTITY: identity })
			.quiet()
			.nothrow()
		expect(tampered.exitCode).not.toBe(0)
		expect(tampered.stderr.toString()).toContain('checksum mismatch')
	})

	test('refuses to run without a recipient key rather than writing a plaintext dump', async () => {
		const made = await backup({ DATABASE_URL: source.url, BACKUP_DIR: join(dir, 'none') })
		expect(made.exitCode).not.toBe(0)
		expect(made.stderr.toString()).toContain('BACKUP_AGE_RECIPIENT')
	})
})
