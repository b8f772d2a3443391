import { Elysia } from 'elysia'
import postgres from 'postgres'
import { handleError } from '../../gateway/src/app'
import type { Config } from '../../gateway/src/config'
import { loadConfig } from '../../gateway/src/config'
import { createLogger } from '../../gateway/src/obs/logger'
import { buildParentSide, type ParentSide, type ParentSideInput } from '../../gateway/src/parent-side'
import type { ErrorCode } from '../../gateway/src/errors'
import { createSmtpMailer } from '../../gateway/src/safety/mailer'
import type { ChildCaches } from '../../gateway/src/session/child-caches'
import type { DeviceControl, LiveConnection } from '../../gateway/src/session/device-control'
import { FieldCipher } from '../../gateway/src/store/crypto'
import { migrate } from '../../gateway/src/store/migrate'
import { createTestDatabase, type TestDatabase } from './databases'
import { linkIn, type SmtpSink, startSmtpSink } from './smtp-sink'

// The parent side of the REST API in process, on a fresh real PostgreSQL database and a real SMTP
// sink, for route tests through app.handle(new Request(...)) (no sockets needed).

export const TEST_AUTH_SECRET = 'b7'.repeat(32)
export const TEST_ENCRYPTION_KEY = '5a'.repeat(32)
export const APP_URL = 'https://parents.example.test/app'
export const PASSWORD = 'correct horse battery'

/** Stands in for the socket registry in in-process tests: which toys are "online", who was closed. */
export class RecordingControl implements DeviceControl {
	readonly online = new Set<string>()
	readonly closed: Array<{ deviceId: string; code: ErrorCode; message: string }> = []
	disconnect(deviceId: string, code: ErrorCode, message: string): boolean {
		if (!this.online.delete(deviceId)) return false
		this.closed.push({ deviceId, code, message })
		return true
	}
	isOnline(deviceId: string): boolean {
		return this.online.has(deviceId)
	}
	connections(): LiveConnection[] {
		return [...this.online].map((deviceId) => ({ deviceId, protocol: 'xiaozhi', ip: '127.0.0.1', connectedAt: 0, lastFrameAt: 0 }))
	}
}

/** Stands in for the running gateway's caches: which children were forgotten, with which toys. */
export class RecordingCaches implements ChildCaches {
	readonly forgotten: Array<{ childId: string; deviceIds: readonly string[] }> = []
	forget(childId: string, deviceIds: readonly string[]): void {
		this.forgotten.push({ childId, deviceIds })
	}
}

export interface ParentApp {
	app: { handle(req: Request): Promise<Response> }
	side: ParentSide
	sql: postgres.Sql
	db: TestDatabase
	sink: SmtpSink
	cipher: FieldCipher
	config: Config
	/** The client address every request appears to come from (changeable per test). */
	ip: { value: string }
	control: RecordingControl
	caches: RecordingCaches
	close(): Promise<void>
}

export type ParentAppOptions = Partial<Omit<ParentSideInput, 'config' | 'sql' | 'cipher' | 'log'>> & {
	env?: Record<string, string>
	/** Use this database (a gateway process's) instead of a fresh one; it is not dropped. */
	databaseUrl?: string
	/** Mount the text chat on the real safety layer over the offline provider. */
	withChat?: boolean
}

export async function startParentApp(opts: ParentAppOptions = {}): Promise<ParentApp> {
	const db: TestDatabase = opts.databaseUrl ? { url: opts.databaseUrl, drop: async () => {} } : await createTestDatabase()
	const sql = postgres(db.url, { max: 4, onnotice: () => {} })
	await migrate(sql)
	const sink = startSmtpSink()
	const cipher = new FieldCipher(Buffer.from(TEST_ENCRYPTION_KEY, 'hex'))
	const config = loadConfig({ PUBLIC_APP_URL: APP_URL, ...opts.env })
	const log = createLogger('silent')
	const ip = { value: '203.0.113.7' }
	const { env: _env, databaseUrl: _url, withChat, ...rest } = opts
	const chat = withChat ? await offlineChat(sql, cipher, config, log) : undefined
	const control = new RecordingControl()
	const caches = new RecordingCaches()
	const side = buildParentSide({
		control,
		caches,
		chat,
		thirdPartyAi: false,
		config,
		authSecret: TEST_AUTH_SECRET,
		sql,
		cipher,
		log,
		mailer: await createSmtpMailer(sink.url, 'Teddy <teddy@example.test>'),
		clientIp: () => ip.value,
		...rest,
	})
	const app = new Elysia().onError(handleError(log)).use(side.plugin)
	return {
		app,
		side,
		sql,
		db,
		sink,
		cipher,
		config,
		ip,
		control,
		caches,
		async close() {
			await side.close()
			sink.stop()
			await sql.end()
			await db.drop()
		},
	}
}

/** What the helpers below need: something that answers requests, and the mail sink it sends to. */
export interface Api {
	app: { handle(req: Request): Promise<Response> }
	sink: SmtpSink
}

/** A real gateway process as an Api: requests go over HTTP to it. */
export function gatewayApi(baseUrl: string, sink: SmtpSink): Api {
	return {
		sink,
		app: {
			handle(req: Request) {
				const u = new URL(req.url)
				return fetch(new Request(`${baseUrl}${u.pathname}${u.search}`, req))
			},
		},
	}
}

async function offlineChat(sql: postgres.Sql, cipher: FieldCipher, config: Config, log: ReturnType<typeof createLogger>) {
	const { OfflineProvider } = await import('../../gateway/src/ai/offline')
	const { loadCodec } = await import('../../gateway/src/codec')
	const { createSafety } = await import('../../gateway/src/safety/create-safety')
	const { createSafetyStore } = await import('../../gateway/src/store/safety')
	const { WriteBacklog } = await import('../../gateway/src/store/write-backlog')
	const writes = new WriteBacklog({ maxPending: 1000, probe: () => sql`select 1`, log })
	const safety = await createSafety(new OfflineProvider(), config, createSafetyStore(sql, cipher), writes, log)
	return { provider: safety.provider, codec: loadCodec(config.codec) }
}

export interface CallOptions {
	token?: string
	body?: unknown
	headers?: Record<string, string>
}

export async function call(pa: Api, method: string, path: string, opts: CallOptions = {}): Promise<Response> {
	const headers: Record<string, string> = { ...opts.headers }
	if (opts.body !== undefined) headers['content-type'] = 'application/json'
	if (opts.token) headers.authorization = `Bearer ${opts.token}`
	return pa.app.handle(
		new Request(`http://localhost${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) }),
	)
}

export async function json<T = Record<string, unknown>>(r: Response): Promise<T> {
	return (await r.json()) as T
}

export async function expectError(r: Response, status: number, code: string): Promise<void> {
	const body = (await r.json()) as { code?: string; message?: string }
	if (r.status !== status || body.code !== code) {
		throw new Error(`expected ${status} ${code}, got ${r.status} ${JSON.stringify(body)}`)
	}
}

export interface SignedInParent {
	email: string
	token: string
	refresh: string
	parentId: string
	familyId: string
}

/** Registers, follows the mailed verification link and signs in. */
export async function signUp(pa: Api, email = `parent-${crypto.randomUUID()}@example.test`): Promise<SignedInParent> {
	const r = await call(pa, 'POST', '/api/v1/accounts/register', { body: { email, password: PASSWORD } })
	if (r.status !== 202) throw new Error(`register: ${r.status} ${await r.text()}`)
	const mail = await pa.sink.waitFor(email, /verify-email/)
	const token = linkIn(mail, `${APP_URL}/verify-email`).searchParams.get('token')
	const v = await call(pa, 'POST', '/api/v1/accounts/verify-email', { body: { token } })
	if (v.status !== 200) throw new Error(`verify: ${v.status} ${await v.text()}`)
	return signIn(pa, email)
}

export async function signIn(pa: Api, email: string, password = PASSWORD): Promise<SignedInParent> {
	const r = await call(pa, 'POST', '/api/v1/accounts/login', { body: { email, password } })
	if (r.status !== 200) throw new Error(`login: ${r.status} ${await r.text()}`)
	const body = await json<{ access_token: string; refresh_token: string }>(r)
	const me = await json<{ id: string; family_id: string }>(await call(pa, 'GET', '/api/v1/accounts/me', { token: body.access_token }))
	return { email, token: body.access_token, refresh: body.refresh_token, parentId: me.id, familyId: me.family_id }
}

export const CONSENT_VERSION = (await import('../../gateway/src/safety/consent')).CONSENT_POLICY_VERSION

export async function addChild(pa: Api, p: SignedInParent, body: Record<string, unknown> = {}): Promise<string> {
	const r = await call(pa, 'POST', '/api/v1/children', { token: p.token, body: { name: 'Ada', age: 7, ...body } })
	if (r.status !== 201) throw new Error(`add child: ${r.status} ${await r.text()}`)
	return (await json<{ id: string }>(r)).id
}

/** Asks for consent and follows the mailed confirmation link, as a parent would. */
export async function giveConsent(pa: Api, p: SignedInParent, childId: string, thirdPartyAi = false): Promise<void> {
	const before = pa.sink.messages.length
	const r = await call(pa, 'POST', `/api/v1/children/${childId}/consent`, {
		token: p.token,
		body: { policy_version: CONSENT_VERSION, method: 'email_plus', third_party_ai: thirdPartyAi },
	})
	if (r.status !== 202) throw new Error(`consent: ${r.status} ${await r.text()}`)
	let mail = pa.sink.messages.slice(before).find((m) => m.to.some((t) => t.includes(p.email)))
	for (let i = 0; !mail && i < 500; i++) {
		await Bun.sleep(20)
		mail = pa.sink.messages.slice(before).find((m) => m.to.some((t) => t.includes(p.email)))
	}
	if (!mail) throw new Error('no consent mail')
	const token = linkIn(mail, `${APP_URL}/confirm-consent`).searchParams.get('token')
	const c = await call(pa, 'POST', '/api/v1/consent/confirm', { body: { token } })
	if (c.status !== 200) throw new Error(`confirm consent: ${c.status} ${await c.text()}`)
}
