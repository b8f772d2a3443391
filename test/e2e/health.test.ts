import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, requireEnv, type TestDatabase } from '../support/databases'
import { type GatewayProcess, startGatewayProcess, TEST_SECRET } from '../support/gateway-process'

interface Check {
	ok: boolean
	kind?: string
}

interface HealthBody {
	status: string
	version: string
	codec: string
	connections: number
}

interface ReadyBody {
	ready: boolean
	codec: string
	checks: { database: Check; redis: Check; codec: Check }
}

interface ErrorBody {
	code: string
	message: string
}

interface OpenApiDoc {
	openapi: string
	paths: Record<string, unknown>
}

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T

// What an orchestrator and an operator see: health probes naming the real dependencies, the API
// docs, typed 404s, and a gateway that refuses to start on a bad env and says which variable.

describe('health on Postgres and Redis', () => {
	let gw: GatewayProcess
	let db: TestDatabase

	beforeAll(async () => {
		db = await createTestDatabase()
		gw = await startGatewayProcess({ DATABASE_URL: db.url, REDIS_URL: requireEnv('TEST_REDIS_URL') })
	})

	afterAll(async () => {
		await gw?.stop()
		await db?.drop()
	})

	test('/health says ok with the codec in use', async () => {
		const res = await fetch(`${gw.url}/health`)
		expect(res.status).toBe(200)
		const body = await json<HealthBody>(res)
		expect(body.status).toBe('ok')
		expect(body.codec).toBe('native')
		expect(typeof body.version).toBe('string')
		expect(body.connections).toBe(0)
	})

	test('/health/live says ok', async () => {
		const res = await fetch(`${gw.url}/health/live`)
		expect(res.status).toBe(200)
		expect((await json<{ status: string }>(res)).status).toBe('ok')
	})

	test('/health/ready checks postgres, redis and the codec', async () => {
		const res = await fetch(`${gw.url}/health/ready`)
		expect(res.status).toBe(200)
		const body = await json<ReadyBody>(res)
		expect(body.ready).toBe(true)
		expect(body.codec).toBe('native')
		expect(body.checks.database).toMatchObject({ ok: true, kind: 'postgres' })
		expect(body.checks.redis).toMatchObject({ ok: true, kind: 'redis' })
		expect(body.checks.codec).toMatchObject({ ok: true, kind: 'native' })
	})

	test('/swagger serves the docs page', async () => {
		const res = await fetch(`${gw.url}/swagger`)
		expect(res.status).toBe(200)
		expect(res.headers.get('content-type')).toContain('text/html')
		expect(await res.text()).toContain('<html')
	})

	test('/swagger/json lists the health paths', async () => {
		const res = await fetch(`${gw.url}/swagger/json`)
		expect(res.status).toBe(200)
		const doc = await json<OpenApiDoc>(res)
		expect(String(doc.openapi)).toMatch(/^3\./)
		for (const path of ['/health', '/health/live', '/health/ready']) expect(Object.keys(doc.paths)).toContain(path)
	})

	test('an unknown route is a 404 with a JSON code', async () => {
		const res = await fetch(`${gw.url}/no/such/route`)
		expect(res.status).toBe(404)
		expect(res.headers.get('content-type')).toContain('application/json')
		const body = await json<ErrorBody>(res)
		expect(body.code).toBe('NOT_FOUND')
		expect(typeof body.message).toBe('string')
	})
})

describe('health on the embedded default', () => {
	test('/health/ready names the embedded database and in-process coordination', async () => {
		const gw = await startGatewayProcess({ TEDDY_CODEC: 'fallback' })
		try {
			const body = await json<ReadyBody>(await fetch(`${gw.url}/health/ready`))
			expect(body.ready).toBe(true)
			expect(body.codec).toBe('fallback')
			expect(body.checks.database).toMatchObject({ ok: true, kind: 'embedded' })
			expect(body.checks.redis).toMatchObject({ ok: true, kind: 'in-process' })
		} finally {
			await gw.stop()
		}
	})
})

describe('startup with a bad env', () => {
	async function runBad(env: Record<string, string>): Promise<{ code: number; output: string }> {
		const dataDir = await mkdtemp(join(tmpdir(), 'teddy-bad-env-'))
		try {
			const proc = Bun.spawn(['bun', 'gateway/src/main.ts'], {
				cwd: join(import.meta.dir, '..', '..'),
				env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', DATA_DIR: dataDir, ESP32_SHARED_SECRET: TEST_SECRET, ...env },
				stdin: 'ignore',
				stdout: 'pipe',
				stderr: 'pipe',
			})
			const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
			return { code, output: out + err }
		} finally {
			await rm(dataDir, { recursive: true, force: true })
		}
	}

	test('PORT=abc exits non-zero and names PORT', async () => {
		const { code, output } = await runBad({ PORT: 'abc' })
		expect(code).not.toBe(0)
		expect(output).toContain('PORT')
		expect(output).not.toContain('gateway listening')
	})

	test('several bad values are all named', async () => {
		const { code, output } = await runBad({ PORT: '70000', TEDDY_CODEC: 'fast', DATABASE_URL: 'mysql://x' })
		expect(code).not.toBe(0)
		for (const name of ['PORT', 'TEDDY_CODEC', 'DATABASE_URL']) expect(output).toContain(name)
	})
})
