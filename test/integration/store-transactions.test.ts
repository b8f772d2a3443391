import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { FieldCipher } from '../../gateway/src/store/crypto'
import { createStore, type Store } from '../../gateway/src/store/index'
import { migrate } from '../../gateway/src/store/migrate'
import { transaction } from '../../gateway/src/store/transaction'
import { DATABASE_KINDS, type OpenedTestDatabase, openTestDatabase } from '../support/databases'

// Transactions while the connection is busy, as in a reconnect storm: the embedded database has one
// postgres.js connection, and every toy's connect queues a query or a transaction on it. postgres.js
// pipelines up to 100 queries on a connection; a BEGIN that arrived as the 100th in flight used to
// be sent without reserving the connection (uncaught TypeError, session left inside the transaction).

const SLOW = 30_000

describe.each(DATABASE_KINDS)('transactions on %s', (kind) => {
	let opened: OpenedTestDatabase
	let store: Store
	let sql: postgres.Sql
	const uniq = () => randomBytes(6).toString('hex')

	beforeAll(async () => {
		opened = await openTestDatabase(kind)
		sql = opened.db.sql
		await migrate(sql)
		store = createStore(opened.db, new FieldCipher(randomBytes(32)), randomBytes(32).toString('hex'))
	}, SLOW)
	afterAll(async () => {
		await opened?.cleanup()
	}, SLOW)

	// No session may be left inside a transaction once every caller has its answer.
	async function openTransactions(): Promise<number> {
		if (kind === 'postgres') {
			const [row] = await sql<{ n: number }[]>`
				select count(*)::int as n from pg_stat_activity
				where datname = current_database() and state like 'idle in transaction%'
			`
			return row!.n
		}
		// PGlite is one session: a write in autocommit gets its own transaction id and ends it, so
		// an id still assigned on the next statement means a transaction is open around both.
		await sql`create temp table if not exists tx_probe (x int)`
		await sql`insert into tx_probe values (1)`
		const [row] = await sql<{ xid: string | null }[]>`select txid_current_if_assigned()::text as xid`
		return row!.xid === null ? 0 : 1
	}

	test(
		'commits a transaction that arrives behind 0 to 150 queries in flight',
		async () => {
			const run = uniq()
			for (let inFlight = 0; inFlight <= 150; inFlight++) {
				const pairing = `pair-${run}-${inFlight}`
				await store.devices.upsertSeen(pairing)
				const seen = Array.from({ length: inFlight }, (_, i) => store.devices.upsertSeen(`toy-${run}-${i}`))
				// Microtasks only: the queries reach the connection, and no answer can arrive before the
				// transaction starts (I/O waits until the microtask queue is empty).
				for (let tick = 0; tick < 10; tick++) await null
				// a toy starting to pair: a transaction (free the code, upsert the toy's row)
				const code = store.pairing.issue(pairing, 600, false)
				const [, issued] = await Promise.all([Promise.all(seen), code])
				expect(issued).toMatchObject({ deviceId: pairing, attempts: 0 })
				expect(issued.code).toMatch(/^\d{6}$/)
			}
			const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pairing_codes where device_id like ${`pair-${run}-%`}`
			expect(row!.n).toBe(151)
			expect(await openTransactions()).toBe(0)
		},
		SLOW,
	)

	test(
		'keeps 300 concurrent connects with transactions apart',
		async () => {
			const run = uniq()
			const connects = Array.from({ length: 300 }, async (_, i) => {
				const deviceId = `toy-${run}-${i}`
				await store.devices.upsertSeen(deviceId)
				if (i % 3 !== 0) return null
				// a toy asking for a fresh code: the update path of the transaction
				await store.pairing.issue(deviceId, 600, false)
				return store.pairing.issue(deviceId, 600, false)
			})
			const codes = await Promise.all(connects)
			for (const [i, issued] of codes.entries()) {
				if (i % 3 === 0) expect((await store.pairing.live(`toy-${run}-${i}`))?.code).toBe(issued!.code)
			}
			const [row] = await sql<{ n: number }[]>`select count(*)::int as n from devices where device_id like ${`toy-${run}-%`}`
			expect(row!.n).toBe(300)
			expect(await openTransactions()).toBe(0)
		},
		SLOW,
	)

	test('rolls back on an error, rethrows it, and frees the connection', async () => {
		const deviceId = `toy-${uniq()}`
		const boom = new Error('body failed')
		const failed = await transaction(sql, async (tx) => {
			await tx`insert into devices (device_id) values (${deviceId})`
			throw boom
		}).catch((err: unknown) => err)
		expect(failed).toBe(boom)
		expect(await store.devices.get(deviceId)).toBeNull()
		// a server error inside the body too: the duplicate key aborts the transaction
		await store.devices.upsertSeen(deviceId)
		const duplicate = await transaction(sql, async (tx) => {
			await tx`insert into devices (device_id) values (${`${deviceId}-2`})`
			await tx`insert into devices (device_id) values (${deviceId})`
		}).catch((err: unknown) => err)
		expect(duplicate).toBeInstanceOf(postgres.PostgresError)
		expect((duplicate as postgres.PostgresError).code).toBe('23505')
		expect(await store.devices.get(`${deviceId}-2`)).toBeNull()
		expect(await openTransactions()).toBe(0)
	})

	test('returns what the body returns once committed', async () => {
		const deviceId = `toy-${uniq()}`
		const count = await transaction(sql, async (tx) => {
			await tx`insert into devices (device_id) values (${deviceId})`
			const [row] = await tx<{ n: number }[]>`select count(*)::int as n from devices where device_id = ${deviceId}`
			return row!.n
		})
		expect(count).toBe(1)
		expect(await store.devices.get(deviceId)).not.toBeNull()
	})
})
