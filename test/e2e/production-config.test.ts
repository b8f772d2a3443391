import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, requireEnv, type TestDatabase } from '../support/databases'
import { TEST_SECRET } from '../support/gateway-process'

// A production gateway that is missing its servers must stop before it listens, naming what to
// set (exit 78, EX_CONFIG), instead of running quietly on the embedded single-node stand-ins.

const ROOT = join(import.meta.dir, '..', '..')
const KEY = '5a'.repeat(32)

let db: TestDatabase
let dataDir: string

beforeAll(async () => {
	db = await createTestDatabase()
	dataDir = await mkdtemp(join(tmpdir(), 'teddy-prod-'))
})

afterAll(async () => {
	await db?.drop()
	await rm(dataDir, { recursive: true, force: true })
})

interface Outcome {
	code: number | null
	output: string
}

// Runs the entry point; a gateway that starts listening instead of exiting is killed and reported.
async function run(env: Record<string, string>): Promise<Outcome> {
	const proc = Bun.spawn(['bun', 'gateway/src/main.ts'], {
		cwd: ROOT,
		env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ...env },
		stdout: 'pipe',
		stderr: 'pipe',
	})
	const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000)
	let output = ''
	const read = async (s: ReadableStream<Uint8Array>) => {
		for await (const chunk of s) {
			output += new TextDecoder().decode(chunk)
			if (output.includes('gateway listening')) proc.kill('SIGKILL')
		}
	}
	await Promise.all([read(proc.stdout), read(proc.stderr), proc.exited])
	clearTimeout(timer)
	return { code: output.includes('gateway listening') ? null : proc.exitCode, output }
}

const production = { NODE_ENV: 'production', ESP32_SHARED_SECRET: TEST_SECRET, ENCRYPTION_KEY: KEY }

test('production without DATABASE_URL and REDIS_URL exits 78 naming both', async () => {
	const { code, output } = await run(production)
	expect(code).toBe(78)
	expect(output).toContain('DATABASE_URL')
	expect(output).toContain('REDIS_URL')
})

test('production with the fake benchmark provider exits 78 naming TEDDY_PROVIDER', async () => {
	const { code, output } = await run({
		...production,
		DATABASE_URL: db.url,
		REDIS_URL: requireEnv('TEST_REDIS_URL'),
		TEDDY_PROVIDER: 'fake',
	})
	expect(code).toBe(78)
	expect(output).toContain('TEDDY_PROVIDER')
})

test('a bad fake-provider timing is a configuration error (78), not a crash at start', async () => {
	const { code, output } = await run({ TEDDY_PROVIDER: 'fake', FAKE_PROVIDER_LATENCY_MS: 'soon' })
	expect(code).toBe(78)
	expect(output).toContain('FAKE_PROVIDER_LATENCY_MS')
})
