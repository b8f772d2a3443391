import type { Redis } from 'ioredis'
import { log } from '../obs/logger'

// Replay cache for v2 token nonces (PROTOCOL.md §1): each (device_id, nonce) is accepted once
// within the token window.
export interface NonceStore {
	// true the first time, false on a replay
	claim(deviceId: string, nonce: string, ttlSeconds: number): Promise<boolean>
	close(): Promise<void>
}

// Length-prefixed so that ("a:b", "c") and ("a", "b:c") can never share a key.
const nonceKey = (deviceId: string, nonce: string) => `${deviceId.length}:${deviceId}:${nonce}`

const wholeSeconds = (ttlSeconds: number) => {
	if (!(ttlSeconds > 0)) throw new RangeError('nonce ttl must be positive')
	return Math.ceil(ttlSeconds)
}

export interface MemoryNonceStoreOptions {
	maxEntries?: number
	sweepIntervalMs?: number
	now?: () => number
}

// Single-node (embedded default) replay cache. Bounded: expired entries are swept on a timer and
// whenever the map is full; if it is still full, claims fail closed (treated as a replay).
export class MemoryNonceStore implements NonceStore {
	private readonly expiries = new Map<string, number>()
	private readonly maxEntries: number
	private readonly now: () => number
	private readonly timer: ReturnType<typeof setInterval>

	constructor(opts: MemoryNonceStoreOptions = {}) {
		this.maxEntries = opts.maxEntries ?? 100_000
		this.now = opts.now ?? Date.now
		this.timer = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? 60_000)
		// the sweep must not keep a finished process alive
		this.timer.unref?.()
	}

	get size(): number {
		return this.expiries.size
	}

	async claim(deviceId: string, nonce: string, ttlSeconds: number): Promise<boolean> {
		const ttlMs = wholeSeconds(ttlSeconds) * 1000
		const key = nonceKey(deviceId, nonce)
		const now = this.now()
		const expiry = this.expiries.get(key)
		if (expiry !== undefined && expiry > now) return false
		if (this.expiries.size >= this.maxEntries) this.sweep()
		if (this.expiries.size >= this.maxEntries) {
			// forgetting a live nonce would allow its replay, so refuse instead
			log.warn({ entries: this.expiries.size }, 'nonce cache full: refusing new v2 tokens')
			return false
		}
		this.expiries.set(key, now + ttlMs)
		return true
	}

	sweep(): void {
		const now = this.now()
		for (const [key, expiry] of this.expiries) {
			if (expiry <= now) this.expiries.delete(key)
		}
	}

	async close(): Promise<void> {
		clearInterval(this.timer)
		this.expiries.clear()
	}
}

// Shared across replicas: SET NX is atomic, so two gateways racing on one nonce cannot both win.
export class RedisNonceStore implements NonceStore {
	constructor(
		private readonly redis: Redis,
		private readonly prefix = 'teddy:nonce:',
	) {}

	async claim(deviceId: string, nonce: string, ttlSeconds: number): Promise<boolean> {
		const reply = await this.redis.set(this.prefix + nonceKey(deviceId, nonce), '1', 'EX', wholeSeconds(ttlSeconds), 'NX')
		return reply === 'OK'
	}

	// the Redis client is shared with other users; its owner closes it
	async close(): Promise<void> {}
}
