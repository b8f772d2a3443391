import type { NonceStore } from './nonces'
import type { RateLimiter } from './rate-limits'

// While Redis is unreachable the fleet degrades to node-local state instead of refusing every new
// toy (docs/operations.md, "Redis down"): nonces and rate limits are kept in this process until
// Redis answers again, then shared once more. `healthy` is the fleet's view (store/fleet-redis.ts).
// ! During an outage a v2 token replayed to a *different* node within its 120 s window would be
//   accepted once there; each node still refuses its own replays. Tokens are short-lived and
//   bound to one device, so this is the availability trade the outage makes, and it is logged.

export class FailoverNonceStore implements NonceStore {
	constructor(
		private readonly shared: NonceStore,
		private readonly local: NonceStore,
		private readonly healthy: () => boolean,
	) {}

	claim(deviceId: string, nonce: string, ttlSeconds: number): Promise<boolean> {
		return (this.healthy() ? this.shared : this.local).claim(deviceId, nonce, ttlSeconds)
	}

	async close(): Promise<void> {
		await Promise.all([this.shared.close(), this.local.close()])
	}
}

export class FailoverRateLimiter implements RateLimiter {
	constructor(
		private readonly shared: RateLimiter,
		private readonly local: RateLimiter,
		private readonly healthy: () => boolean,
	) {}

	hit(key: string): Promise<boolean> {
		return (this.healthy() ? this.shared : this.local).hit(key)
	}

	close(): void {
		this.shared.close?.()
		this.local.close?.()
	}
}
