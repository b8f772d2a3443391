import type postgres from 'postgres'
import type { Logger } from '../obs/logger'
import { transaction, type Tx } from './transaction'

// Background jobs every replica schedules and one runs at a time (a transaction-scoped advisory
// lock; the others skip that round). Each run is recorded in maintenance_runs, so any replica's
// /health/ready can say when the fleet last ran it and whether it worked.

export interface JobRun {
	job: string
	startedAt: Date
	finishedAt: Date | null
	ok: boolean | null
	error: string | null
	result: Record<string, unknown> | null
}

export type JobBody = (tx: Tx) => Promise<Record<string, unknown>>

// fixed forever per job: a replica of another version must take the same lock
const LOCKS: Record<string, string> = { retention: '7366353906473502101', rekey: '7366353906473502102' }

export class MaintenanceRepository {
	constructor(private readonly sql: postgres.Sql) {}

	/** Runs `body` under the job's lock and records the run; 'busy' when another replica holds the lock. */
	async run(job: string, body: JobBody): Promise<JobRun | 'busy'> {
		const lock = LOCKS[job]
		if (!lock) throw new Error(`unknown job ${job}`)
		const startedAt = new Date()
		try {
			const result = await transaction(this.sql, async (tx) => {
				const [got] = await tx<{ ok: boolean }[]>`select pg_try_advisory_xact_lock(${lock}::bigint) as ok`
				if (!got!.ok) return 'busy' as const
				return body(tx)
			})
			if (result === 'busy') return 'busy'
			return this.record(job, startedAt, true, null, result)
		} catch (err) {
			return this.record(job, startedAt, false, (err as Error).message.slice(0, 500), null)
		}
	}

	async last(job: string): Promise<JobRun | null> {
		const [row] = await this.sql<{ job: string; started_at: Date; finished_at: Date | null; ok: boolean | null; error: string | null; result: Record<string, unknown> | null }[]>`
			select * from maintenance_runs where job = ${job}
		`
		return row ? { job: row.job, startedAt: row.started_at, finishedAt: row.finished_at, ok: row.ok, error: row.error, result: row.result } : null
	}

	private async record(job: string, startedAt: Date, ok: boolean, error: string | null, result: Record<string, unknown> | null): Promise<JobRun> {
		const [row] = await this.sql<{ finished_at: Date }[]>`
			insert into maintenance_runs (job, started_at, finished_at, ok, error, result)
			values (${job}, ${startedAt}, now(), ${ok}, ${error}, ${result ? this.sql.json(result as postgres.JSONValue) : null})
			on conflict (job) do update set started_at = excluded.started_at, finished_at = excluded.finished_at,
				ok = excluded.ok, error = excluded.error, result = excluded.result
			returning finished_at
		`
		return { job, startedAt, finishedAt: row!.finished_at, ok, error, result }
	}
}

/** Runs a job now and then every `intervalMs`; a failure is logged and retried next round. */
export class JobTimer {
	private timer: ReturnType<typeof setInterval> | undefined
	private running: Promise<unknown> | undefined

	constructor(
		private readonly name: string,
		private readonly tick: () => Promise<unknown>,
		private readonly log: Logger,
	) {}

	start(intervalMs: number, firstDelayMs = 5_000): void {
		const go = () => {
			if (this.running) return
			this.running = this.tick()
				.catch((err) => this.log.error({ err: (err as Error).message, job: this.name }, 'maintenance job failed'))
				.finally(() => {
					this.running = undefined
				})
		}
		const first = setTimeout(() => {
			go()
			this.timer = setInterval(go, intervalMs)
			this.timer.unref?.()
		}, firstDelayMs)
		first.unref?.()
		this.stopFirst = () => clearTimeout(first)
	}

	private stopFirst: () => void = () => {}

	async stop(): Promise<void> {
		this.stopFirst()
		clearInterval(this.timer)
		await this.running
	}
}
