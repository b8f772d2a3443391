import type { Redis } from 'ioredis'
import { GatewayError } from '../errors'
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
	/** Live nonces one device may hold; its next token is refused until one expires. */
	maxPerDevice?: number
	sweepIntervalMs?: number
	now?: () => number
}

// Single-node (embedded default) replay cache, one bounded share per device. A full share refuses
// that device's next token (forgetting a live nonce would allow its replay) and never touches
// another device's share: one toy, or the thief of one toy's key, can lock out only itself. The
// gateway sizes the share so that a device within its token rate never fills it.
export class MemoryNonceStore implements NonceStore {
	private readonly byDevice = new Map<string, Map<string, number>>()
	private readonly maxPerDevice: number
	private readonly now: () => number
	private readonly timer: ReturnType<typeof setInterval>
	private entries = 0

	constructor(opts: MemoryNonceStoreOptions = {}) {
		this.maxPerDevice = opts.maxPerDevice ?? 300
		this.now = opts.now ?? Date.now
		this.timer = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? 60_000)
		// the sweep must not keep a finished process alive
		this.timer.unref?.()
	}

	/** Live and not-yet-swept nonces, all devices together. */
	get size(): number {
		return this.entries
	}

	/** Devices holding at least one nonce. */
	get devices(): number {
		return this.byDevice.size
	}

	async claim(deviceId: string, nonce: string, ttlSeconds: number): Promise<boolean> {
		const ttlMs = wholeSeconds(ttlSeconds) * 1000
		const now = this.now()
		let seen = this.byDevice.get(deviceId)
		if (!seen) {
			seen = new Map()
			this.byDevice.set(deviceId, seen)
		}
		const expiry = seen.get(nonce)
		if (expiry !== undefined && expiry > now) return false
		if (seen.size >= this.maxPerDevice) this.sweepDevice(deviceId, seen, now)
		if (seen.size >= this.maxPerDevice) {
			let soonest = Number.POSITIVE_INFINITY
			for (const e of seen.values()) soonest = Math.min(soonest, e)
			log.warn({ device: deviceId, nonces: seen.size }, 'device holds its whole share of live nonces: refusing its tokens')
			throw new GatewayError('RATE_LIMITED', 'too many tokens from this device; wait before connecting again', {
				retryAfterSeconds: (soonest - now) / 1000,
			})
		}
		if (expiry === undefined) this.entries++
		seen.set(nonce, now + ttlMs)
		return true
	}

	sweep(): void {
		const now = this.now()
		for (const [deviceId, seen] of this.byDevice) this.sweepDevice(deviceId, seen, now)
	}

	private sweepDevice(deviceId: string, seen: Map<string, number>, now: number): void {
		for (const [nonce, expiry] of seen) {
			if (expiry > now) continue
			seen.delete(nonce)
			this.entries--
		}
		if (seen.size === 0) this.byDevice.delete(deviceId)
	}

	async close(): Promise<void> {
		clearInterval(this.timer)
		this.byDevice.clear()
		this.entries = 0
	}
}

// Shared across replicas: SET NX is atomic, so two gateways racing on one nonce cannot both win.
// Each device's keys are bounded by its token rate (TOKENS_PER_DEVICE_PER_MINUTE × the TTL).
export class RedisNonceStore implements NonceStore {
	constructor(
		private readonly redis: Redis,
		private readonly prefix = 'teddy:nonce:',
	) {}

	async claim(deviceId: string, nonce: string, ttlSeconds: number): Promise<boolean> {
		const key = this.prefix + nonceKey(deviceId, nonce)
		const ttl = wholeSeconds(ttlSeconds)
		let reply: string | null
		try {
			reply = await this.redis.set(key, '1', 'EX', ttl, 'NX')
		} catch {
			// ! Never accept a v2 token unchecked: without the shared cache it could replay on every replica.
			throw new GatewayError('UNAVAILABLE', 'the replay cache (Redis) is unreachable; try again shortly', { retryAfterSeconds: 5 })
		}
		return reply === 'OK'
	}

	// the Redis client is shared with other users; its owner closes it
	async close(): Promise<void> {}
}
