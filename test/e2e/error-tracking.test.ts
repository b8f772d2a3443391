import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { ErrorEvent } from '@sentry/bun'
import { mask, scrubEvent } from '../../gateway/src/obs/error-tracking'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres'
import { seedUrl } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// SENTRY_DSN set: an internal error reaches the error tracker (a fake Sentry ingest on loopback)
// with its correlation id, and nothing of the child or the toy's token goes with it.

let pg: PrivatePostgres
let gw: GatewayProcess
let ingest: ReturnType<typeof Bun.serve>
const envelopes: string[] = []

beforeAll(async () => {
	ingest = Bun.serve({
		port: 0,
		hostname: '127.0.0.1',
		async fetch(req) {
			envelopes.push(await req.text())
			return Response.json({ id: 'x' })
		},
	})
	pg = await startPrivatePostgres()
	gw = await startGatewayProcess({ DATABASE_URL: pg.url, SENTRY_DSN: `http://publickey@127.0.0.1:${ingest.port}/1` })
})

afterAll(async () => {
	await gw?.stop()
	await pg?.destroy()
	ingest?.stop(true)
})

describe('error tracking', () => {
	test('a handshake that fails on a down database is reported, scrubbed, with its correlation id', async () => {
		await pg.stop()
		const url = seedUrl(gw.wsUrl, { device_id: 'sentry-toy-1', child_name: 'Zoe Secretname' })
		const toy = new TestSocket(url)
		await toy.opened
		const closed = await toy.closed
		expect(closed.code).toBe(1011)
		const error = toy.messages.find((m) => m.type === 'error') as { message: string }
		const cid = /correlation id ([0-9a-f-]+)/.exec(error.message)?.[1]
		expect(cid).toBeTruthy()

		for (let i = 0; i < 100 && !envelopes.some((e) => e.includes(cid as string)); i++) await Bun.sleep(100)
		const sent = envelopes.find((e) => e.includes(cid as string))
		expect(sent).toBeDefined()
		expect(sent).toContain('"type":"event"')
		expect(sent).not.toContain('Secretname')
		expect(sent).not.toContain(new URL(url).searchParams.get('token') as string)
		expect(sent).not.toContain(pg.url)
	})
})

describe('scrubbing', () => {
	test('masks tokens, keys, emails and URLs with credentials in messages', () => {
		expect(mask('bad v2.1700000000.0123456789abcdef0123456789abcdef.' + 'a'.repeat(64) + ' from x')).toBe('bad [token] from x')
		expect(mask('mail mum@example.com now')).toBe('mail [email] now')
		expect(mask('connect postgres://teddy:pw@db:5432/teddy failed')).toBe('connect postgres://[url] failed')
		expect(mask('GET /chat?device_id=d1&token=abc&child_name=Zoe')).toBe('GET /chat?device_id=[redacted]&token=[redacted]&child_name=[redacted]')
	})

	test('drops request, user, breadcrumbs, extra and source lines from an event', () => {
		const event = {
			type: undefined,
			message: 'for mum@example.com',
			request: { url: 'http://x/?token=t' },
			user: { id: 'u' },
			breadcrumbs: [{ message: 'child said hi' }],
			extra: { text: 'I am sad' },
			server_name: 'host',
			contexts: { runtime: { name: 'bun' }, app: { x: 1 } },
			exception: { values: [{ type: 'Error', value: 'token v2.1.abcdefabcdefabcdef.ff', stacktrace: { frames: [{ filename: 'a.ts', lineno: 3, context_line: 'const name = "Zoe"', vars: { name: 'Zoe' } }] } }] },
		} as unknown as ErrorEvent
		const out = scrubEvent(event)
		expect(out).toEqual({
			type: undefined,
			message: 'for [email]',
			contexts: { runtime: { name: 'bun' }, os: undefined },
			exception: { values: [{ type: 'Error', value: 'token [token]', stacktrace: { frames: [{ filename: 'a.ts', lineno: 3 }] } }] },
		} as unknown as ErrorEvent)
	})
})
