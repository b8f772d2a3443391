import type Redis from 'ioredis'

// Fixed-window counters for rate limits (PROTOCOL.md §5: per-IP new connections, per-device
// turns, REST). Redis makes a limit hold across gateway replicas; memory serves a single node.

export interface RateLimiter {
	/** Counts one event for `key`; false once the window's limit is exceeded. */
	hit(key: string): Promise<boolean>
	close?(): void
}

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

	hitSync(key: string): boolean {
		const now = this.now()
		const w = this.windows.get(key)
		if (!w || w.resetAt <= now) {
			this.windows.set(key, { count: 1, resetAt: now + this.windowMs })
			return this.limit >= 1
		}
		w.count++
		return w.count <= this.limit
	}

	async hit(key: string): Promise<boolean> {
		return this.hitSync(key)
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

export class RedisRateLimiter implements RateLimiter {
	constructor(
		private readonly redis: Redis,
		private readonly limit: number,
		private readonly windowMs: number,
		private readonly prefix: string,
	) {}

	async hit(key: string): Promise<boolean> {
		const k = `${this.prefix}${Math.floor(Date.now() / this.windowMs)}:${key}`
		const [[, count]] = (await this.redis.multi().incr(k).pexpire(k, this.windowMs).exec()) as [[Error | null, number]]
		return count <= this.limit
	}
}
