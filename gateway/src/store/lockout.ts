import type Redis from 'ioredis'

// Failed-login counters for the lockout of an account and of a client address. A window starts at
// the first failure and lasts `windowMs`; a success clears the account's count. Redis makes the
// count hold across replicas; memory serves a single node. (Rate limits of whole routes are
// store/rate-limits.ts; this only counts failures.)

export interface LockoutCounter {
	/** Failures counted for `key` in its current window. */
	failures(key: string): Promise<number>
	/** Counts one failure; returns the new count. */
	fail(key: string): Promise<number>
	clear(key: string): Promise<void>
	/** Milliseconds until the key's window ends (0 when none is open). */
	retryAfterMs(key: string): Promise<number>
	close?(): void
}

export class MemoryLockout implements LockoutCounter {
	private readonly windows = new Map<string, { count: number; until: number }>()
	private readonly sweep: ReturnType<typeof setInterval>

	constructor(
		private readonly windowMs: number,
		private readonly now: () => number = Date.now,
	) {
		// a scan of many addresses must not grow the map without bound
		this.sweep = setInterval(() => {
			const t = this.now()
			for (const [k, w] of this.windows) if (w.until <= t) this.windows.delete(k)
		}, Math.max(1000, windowMs))
		this.sweep.unref?.()
	}

	private live(key: string) {
		const w = this.windows.get(key)
		return w && w.until > this.now() ? w : undefined
	}

	async failures(key: string): Promise<number> {
		return this.live(key)?.count ?? 0
	}

	async fail(key: string): Promise<number> {
		const w = this.live(key)
		if (w) return ++w.count
		this.windows.set(key, { count: 1, until: this.now() + this.windowMs })
		return 1
	}

	async clear(key: string): Promise<void> {
		this.windows.delete(key)
	}

	async retryAfterMs(key: string): Promise<number> {
		const w = this.live(key)
		return w ? w.until - this.now() : 0
	}

	close(): void {
		clearInterval(this.sweep)
	}
}

export class RedisLockout implements LockoutCounter {
	constructor(
		private readonly redis: Redis,
		private readonly windowMs: number,
		private readonly prefix = 'teddy:lockout:',
	) {}

	async failures(key: string): Promise<number> {
		return Number((await this.redis.get(this.prefix + key)) ?? 0)
	}

	async fail(key: string): Promise<number> {
		const k = this.prefix + key
		// NX: the window runs from the first failure, so steady guessing cannot keep extending it
		const [[, count]] = (await this.redis.multi().incr(k).pexpire(k, this.windowMs, 'NX').exec()) as [[Error | null, number]]
		return count
	}

	async clear(key: string): Promise<void> {
		await this.redis.del(this.prefix + key)
	}

	async retryAfterMs(key: string): Promise<number> {
		return Math.max(0, await this.redis.pttl(this.prefix + key))
	}
}
