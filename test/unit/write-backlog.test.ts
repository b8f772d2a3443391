import { describe, expect, test } from 'bun:test'
import pino from 'pino'
import { isUnreachable, WriteBacklog } from '../../gateway/src/store/write-backlog'

// The write backlog holds a turn's writes through a database outage (issue 10.7): order per key,
// retries only when the database could not be reached, bounded, and it says how much is waiting.

const log = pino({ level: 'silent' })
const unreachable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })

/** A stand-in database that can be taken down and brought back. */
function database() {
	let up = true
	const stored: string[] = []
	return {
		stored,
		set up(v: boolean) {
			up = v
		},
		write: (what: string, delayMs = 0) => async () => {
			await Bun.sleep(delayMs)
			if (!up) throw unreachable()
			stored.push(what)
		},
		probe: async () => {
			if (!up) throw unreachable()
		},
	}
}

describe('WriteBacklog', () => {
	test('keeps the order of one key while another key goes ahead', async () => {
		const db = database()
		const backlog = new WriteBacklog({ maxPending: 100, probe: db.probe, log })
		backlog.submit('a', 'x', db.write('a1', 30))
		backlog.submit('b', 'x', db.write('b1', 0))
		backlog.submit('a', 'x', db.write('a2', 0))
		expect(await backlog.flush(5000)).toBe(0)
		expect(db.stored).toEqual(['b1', 'a1', 'a2'])
	})

	test('holds writes while the database is unreachable and stores them, in order, once it is back', async () => {
		const db = database()
		const backlog = new WriteBacklog({ maxPending: 100, probe: db.probe, log, retryMs: 10, maxRetryMs: 20 })
		db.up = false
		for (const w of ['m1', 'm2', 'm3']) backlog.submit('conversation', 'message', db.write(w))
		await Bun.sleep(80)
		expect(db.stored).toEqual([])
		expect(backlog.status()).toMatchObject({ pending: 3, waiting: true, full: false })
		db.up = true
		expect(await backlog.flush(5000)).toBe(0)
		expect(db.stored).toEqual(['m1', 'm2', 'm3'])
		expect(backlog.status()).toMatchObject({ pending: 0, waiting: false })
	})

	test('drops a write the database refuses for its content instead of retrying it forever', async () => {
		const db = database()
		const backlog = new WriteBacklog({ maxPending: 100, probe: db.probe, log })
		backlog.submit('k', 'bad', async () => {
			throw Object.assign(new Error('violates foreign key'), { code: '23503' })
		})
		backlog.submit('k', 'good', db.write('after'))
		expect(await backlog.flush(2000)).toBe(0)
		expect(db.stored).toEqual(['after'])
		expect(backlog.status().dropped).toBe(1)
	})

	test('refuses new writes past its bound and reports itself full', async () => {
		const db = database()
		db.up = false
		const backlog = new WriteBacklog({ maxPending: 2, probe: db.probe, log, retryMs: 10 })
		expect(backlog.submit('k', 'x', db.write('1'))).toBe(true)
		expect(backlog.submit('k', 'x', db.write('2'))).toBe(true)
		expect(backlog.submit('k', 'x', db.write('3'))).toBe(false)
		expect(backlog.status()).toMatchObject({ pending: 2, full: true, refused: 1 })
		db.up = true
		await backlog.flush(2000)
		expect(db.stored).toEqual(['1', '2'])
	})

	test('tells unreachable from refused', () => {
		expect(isUnreachable(unreachable())).toBe(true)
		expect(isUnreachable(Object.assign(new Error(), { code: 'CONNECTION_CLOSED' }))).toBe(true)
		expect(isUnreachable(Object.assign(new Error(), { code: '08006' }))).toBe(true)
		expect(isUnreachable(Object.assign(new Error(), { code: '23505' }))).toBe(false)
		expect(isUnreachable(new Error('no code'))).toBe(false)
	})
})
