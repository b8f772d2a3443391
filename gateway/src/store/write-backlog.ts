import type { Logger } from '../obs/logger'

// The writes a turn leaves behind (its messages, usage, memory, lesson progress, parent alerts)
// must survive a database outage: the toy has already said the answer, so losing the row would
// leave a parent reading a conversation with holes in it. Every such write goes through here:
//   - writes with the same key (a conversation, a child) run one after another, in the order
//     they were submitted, so a transcript is stored in the order it was spoken; different keys
//     run side by side;
//   - a write that fails because the database is unreachable waits and is tried again, behind
//     one shared probe (no thundering herd when the database comes back); a write the database
//     refuses for its content (a constraint, bad data) is logged and dropped, never retried;
//   - the backlog is bounded and in memory (text only, never audio): past `maxPending` a new
//     write is refused and logged, and /health/ready reports not ready so a balancer sends
//     new toys elsewhere.
// Writes must be idempotent (client-chosen ids, `on conflict do nothing`): a write whose
// connection died after COMMIT is tried again.

export interface WriteBacklogOptions {
	/** Writes held at most (waiting or in flight). */
	maxPending: number
	/** A cheap query that succeeds once the database is back. */
	probe: () => Promise<unknown>
	log: Logger
	/** First wait before probing an unreachable database; doubles up to maxRetryMs. */
	retryMs?: number
	maxRetryMs?: number
	/** Each failed write or probe (the store-errors metric). */
	onError?: () => void
}

export interface BacklogStatus {
	/** Writes not yet committed (waiting or in flight). */
	pending: number
	/** True while writes wait for the database to come back. */
	waiting: boolean
	/** Writes refused because the backlog was full, and writes dropped as not retryable, since start. */
	refused: number
	dropped: number
	full: boolean
}

// postgres.js and Node report an unreachable server with these; SQLSTATE class 08 is "connection
// exception", 57P01-57P03 an administrator or crash shutdown, 53300 too many connections.
const NETWORK_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'ENOTFOUND',
	'EAI_AGAIN',
	'CONNECTION_CLOSED',
	'CONNECTION_ENDED',
	'CONNECTION_DESTROYED',
	'CONNECT_TIMEOUT',
	'57P01',
	'57P02',
	'57P03',
	'53300',
])

/** True when an error says the database could not be reached, not that it refused the write. */
export function isUnreachable(err: unknown): boolean {
	const code = (err as { code?: unknown } | null)?.code
	if (typeof code !== 'string') return false
	return NETWORK_CODES.has(code) || code.startsWith('08')
}

export class WriteBacklog {
	private readonly chains = new Map<string, Promise<void>>()
	private pending = 0
	private refused = 0
	private dropped = 0
	/** Resolves when the database answers again; set while it is unreachable. */
	private outage: Promise<void> | undefined
	private closed = false
	private readonly retryMs: number
	private readonly maxRetryMs: number

	constructor(private readonly opts: WriteBacklogOptions) {
		this.retryMs = opts.retryMs ?? 250
		this.maxRetryMs = opts.maxRetryMs ?? 5_000
	}

	/**
	 * Queues `write` behind earlier writes of `key`. Returns false (and logs) when the backlog is
	 * full; the write is then not made. `label` names the write in logs (never its content).
	 */
	submit(key: string, label: string, write: () => Promise<unknown>): boolean {
		if (this.pending >= this.opts.maxPending) {
			this.refused++
			this.opts.log.error({ label, pending: this.pending }, 'write backlog full: write refused')
			return false
		}
		this.pending++
		const previous = this.chains.get(key)
		const run = previous ? previous.then(() => this.attempt(label, write)) : this.attempt(label, write)
		const next = run.finally(() => {
			this.pending--
			if (this.chains.get(key) === next) this.chains.delete(key)
		})
		this.chains.set(key, next)
		return true
	}

	status(): BacklogStatus {
		return {
			pending: this.pending,
			waiting: this.outage !== undefined,
			refused: this.refused,
			dropped: this.dropped,
			full: this.pending >= this.opts.maxPending,
		}
	}

	/** Waits until every write so far is committed or dropped, or `timeoutMs` passed; returns what is left. */
	async flush(timeoutMs: number): Promise<number> {
		const all = Promise.allSettled([...this.chains.values()])
		let timer: ReturnType<typeof setTimeout> | undefined
		await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))])
		clearTimeout(timer)
		return this.pending
	}

	/** Stops retrying: writes still waiting are given up (logged with their count). */
	close(): void {
		this.closed = true
		if (this.pending > 0) this.opts.log.error({ pending: this.pending }, 'write backlog closed with writes not stored')
	}

	private async attempt(label: string, write: () => Promise<unknown>): Promise<void> {
		for (;;) {
			if (this.outage) await this.outage
			if (this.closed) return
			try {
				await write()
				return
			} catch (err) {
				this.opts.onError?.()
				if (!isUnreachable(err)) {
					this.dropped++
					this.opts.log.error({ label, err: (err as Error).message }, 'write refused by the database: dropped')
					return
				}
				this.outage ??= this.waitForDatabase(err)
			}
		}
	}

	private async waitForDatabase(cause: unknown): Promise<void> {
		this.opts.log.warn({ err: (cause as Error).message, pending: this.pending }, 'database unreachable: holding writes until it is back')
		let delay = this.retryMs
		const started = Date.now()
		for (;;) {
			await Bun.sleep(delay)
			if (this.closed) break
			try {
				await this.opts.probe()
				break
			} catch {
				this.opts.onError?.()
				delay = Math.min(delay * 2, this.maxRetryMs)
			}
		}
		this.opts.log.info({ pending: this.pending, outageMs: Date.now() - started }, 'database back: writing the backlog')
		this.outage = undefined
	}
}
