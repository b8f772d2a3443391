import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../gateway/src/store/database'
import { migrate } from '../../gateway/src/store/migrate'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { seedUrl, v2Token } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// The embedded database (PGlite behind one postgres.js connection) under a burst of connects, as
// after a restart: every toy's connect writes to the store, seed-json toys in a transaction. All
// are served, and a toy whose store write fails gets its own 1011 (PROTOCOL.md §5) while the
// gateway carries on. The failures come from triggers planted in the data directory beforehand.

const SLOW = 60_000
const TOYS = 300

let gw: GatewayProcess
let dataDir: string

// A device row and a child row that the database refuses, whatever the gateway does.
const REFUSE = `
	create function refuse_test_device() returns trigger language plpgsql as $$
	begin
		if new.device_id = 'db-refuses-device' then raise exception 'refused by the test trigger'; end if;
		return new;
	end $$;
	create trigger refuse_test_device before insert or update on devices
		for each row execute function refuse_test_device();
	create function refuse_test_child() returns trigger language plpgsql as $$
	begin
		if new.external_id = 'db-refuses-child' then raise exception 'refused by the test trigger'; end if;
		return new;
	end $$;
	create trigger refuse_test_child before insert or update on children
		for each row execute function refuse_test_child();
`

beforeAll(async () => {
	dataDir = await mkdtemp(join(tmpdir(), 'teddy-embedded-'))
	const db = await openDatabase({ dataDir })
	try {
		await migrate(db.sql)
		await db.sql.unsafe(REFUSE)
	} finally {
		await db.close()
	}
	gw = await startGatewayProcess({
		DATA_DIR: dataDir,
		DATABASE_URL: undefined,
		TEDDY_CODEC: process.env.TEDDY_CODEC,
		// every toy of this test connects from 127.0.0.1
		CONNECTIONS_PER_IP_PER_MINUTE: '100000',
	})
}, SLOW)

afterAll(async () => {
	await gw?.stop()
	if (dataDir) await rm(dataDir, { recursive: true, force: true })
}, SLOW)

function xiaozhi(deviceId: string): TestSocket {
	return new TestSocket(`${gw.wsUrl}/xiaozhi/v1/`, {
		Authorization: `Bearer ${v2Token(deviceId)}`,
		'Protocol-Version': '3',
		'Device-Id': deviceId,
		'Client-Id': 'c1',
	})
}

/** Opens a toy and waits until the gateway answers it: pong for seed-json, hello for xiaozhi. */
async function served(i: number): Promise<TestSocket> {
	const deviceId = `burst-${i}`
	if (i % 2 === 0) {
		const s = new TestSocket(seedUrl(gw.wsUrl, { device_id: deviceId, child_name: `Kid ${i}` }))
		await s.opened
		s.send({ type: 'ping' })
		await s.waitFor((m) => m.type === 'pong' || m.type === 'error', 30_000)
		return s
	}
	const s = xiaozhi(deviceId)
	await s.opened
	s.send({ type: 'hello', version: 3, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
	await s.waitFor((m) => m.type === 'hello' || m.type === 'error', 30_000)
	return s
}

async function expectInternalError(s: TestSocket): Promise<string> {
	const closed = await s.closed
	const err = s.messages.find((m) => m.type === 'error')
	expect(err?.code).toBe('INTERNAL')
	expect(closed.code).toBe(1011)
	const cid = /correlation id ([0-9a-f-]{36})/.exec(String(err?.message))?.[1]
	expect(cid).toBeString()
	return cid!
}

const handshakeFailures = () => gw.logs().split('\n').filter((l) => l.includes('"handshake failed"'))

test(
	`${TOYS} toys connecting at once to the embedded database are all served`,
	async () => {
		const sockets = await Promise.all(Array.from({ length: TOYS }, (_, i) => served(i)))
		const refused = sockets.flatMap((s) => s.messages.filter((m) => m.type === 'error'))
		expect(refused).toEqual([])
		expect(gw.proc.exitCode).toBeNull()
		expect(handshakeFailures()).toEqual([])
		for (const s of sockets) s.close()
		await Promise.all(sockets.map((s) => s.closed))
	},
	SLOW,
)

test(
	'a store error on one toy’s connect closes that toy with 1011, is logged, and the gateway carries on',
	async () => {
		// seed-json: the child write fails inside the connect's transaction
		const seed = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'db-ok-device', child_id: 'db-refuses-child' }))
		const seedCid = await expectInternalError(seed)
		// xiaozhi: the device registration fails
		const binary = xiaozhi('db-refuses-device')
		const binaryCid = await expectInternalError(binary)

		const logged = handshakeFailures()
		expect(logged.some((l) => l.includes(seedCid) && l.includes('refused by the test trigger'))).toBe(true)
		expect(logged.some((l) => l.includes(binaryCid) && l.includes('refused by the test trigger'))).toBe(true)

		// the rolled-back transaction gave the one connection back: more toys, seed and binary, are served
		const after = await Promise.all(Array.from({ length: 20 }, (_, i) => served(TOYS + i)))
		expect(after.flatMap((s) => s.messages.filter((m) => m.type === 'error'))).toEqual([])
		for (const s of after) s.close()
		expect(gw.proc.exitCode).toBeNull()
		const live = await fetch(`${gw.url}/health/live`)
		expect(live.status).toBe(200)
	},
	SLOW,
)
