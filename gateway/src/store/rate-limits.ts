import type Redis from 'ioredis'
import { log } from '../obs/logger'

// Fixed-window counters for rate limits (PROTOCOL.md §5 and docs/security.md "Limits"). Redis makes
// a limit hold across gateway replicas; memory serves a single node.

export interface RateVerdict {
	allowed: boolean
	/** Whole seconds until the window that refused this ends (at least 1); 0 when allowed. */
	retryAfterSeconds: number
}

export interface RateLimiter {
	/** Counts one event for `key` and says whether it is within the window's limit. */
	take(key: string): Promise<RateVerdict>
	/** `take` as a boolean: false once the window's limit is exceeded. */
	hit(key: string): Promise<boolean>
	close?(): void
}

const ALLOWED: RateVerdict = { allowed: true, retryAfterSeconds: 0 }
const refused = (msLeft: number): RateVerdict => ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) })

export class MemoryRateLimiter implements RateLimiter {
	private readonly windows = new Map<string, { count: number; resetAt: number }>()
	private readonly sweep: ReturnType<typeof setInterval>

	constructor(
		private readonly limit: number,
		private readonly windowMs: number,
		private readonly now: () => number = Date.now,
	) {
		// Expired windows are dropped so a scan of many IPs cannot grow the map without bound.
		this.sweep = setInterval(() => this.prune(), Math.max(1000, windowMs))
		this.sweep.unref?.()
	}

	takeSync(key: string): RateVerdict {
		const now = this.now()
		const w = this.windows.get(key)
		if (!w || w.resetAt <= now) {
			this.windows.set(key, { count: 1, resetAt: now + this.windowMs })
			return this.limit >= 1 ? ALLOWED : refused(this.windowMs)
		}
		w.count++
		return w.count <= this.limit ? ALLOWED : refused(w.resetAt - now)
	}

	hitSync(key: string): boolean {
		return this.takeSync(key).allowed
	}

	async take(key: string): Promise<RateVerdict> {
		return this.takeSync(key)
	}

	async hit(key: string): Promise<boolean> {
		return this.takeSync(key).allowed
	}

	get size(): number {
		return this.windows.size
	}

	prune(): void {
		const now = this.now()
		for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k)
	}

	close(): void {
		clearInterval(this.sweep)
	}
}

// How often an outage is logged per limiter (every refused call would flood the log).
const OUTAGE_LOG_MS = 10_000

/**
 * Counts in Redis, one key per window. While Redis cannot answer, the same limit is counted in
 * process instead: each replica then allows up to the limit on its own, which keeps abuse bounded
 * and every good toy served, rather than turning a Redis outage into an outage of the gateway.
 */
export class RedisRateLimiter implements RateLimiter {
	private readonly local: MemoryRateLimiter
	private lastOutageLog = 0

	constructor(
		private readonly redis: Redis,
		private readonly limit: number,
		private readonly windowMs: number,
		private readonly prefix: string,
	) {
		this.local = new MemoryRateLimiter(limit, windowMs)
	}

	async take(key: string): Promise<RateVerdict> {
		const now = Date.now()
		const window = Math.floor(now / this.windowMs)
		const k = `${this.prefix}${window}:${key}`
		let count: number
		try {
			const replies = await this.redis.multi().incr(k).pexpire(k, this.windowMs).exec()
			const [err, value] = replies?.[0] ?? [new Error('no reply to INCR')]
			if (err) throw err
			count = Number(value)
		} catch (err) {
			this.logOutage(err)
			return this.local.takeSync(key)
		}
		return count <= this.limit ? ALLOWED : refused((window + 1) * this.windowMs - now)
	}

	async hit(key: string): Promise<boolean> {
		return (await this.take(key)).allowed
	}

	close(): void {
		this.local.close()
	}

	private logOutage(err: unknown): void {
		const now = Date.now()
		if (now - this.lastOutageLog < OUTAGE_LOG_MS) return
		this.lastOutageLog = now
		log.warn({ err: (err as Error)?.message, limiter: this.prefix }, 'redis unreachable: counting this rate limit in process')
	}
}

export type RateLimiterFactory = (name: string, limit: number, windowMs: number) => RateLimiter

/** Limiters shared through `redis` when there is one (keys `teddy:rl:<name>:…`), else in process. */
export function rateLimiters(redis: Redis | undefined): RateLimiterFactory {
	return (name, limit, windowMs) =>
		redis ? new RedisRateLimiter(redis, limit, windowMs, `teddy:rl:${name}:`) : new MemoryRateLimiter(limit, windowMs)
}
