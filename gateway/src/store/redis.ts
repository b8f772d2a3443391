import { Redis } from 'ioredis'
import { log } from '../obs/logger'

export interface ConnectRedisOptions {
	/** How long a command may wait for Redis's answer before it fails (default 1000 ms). */
	commandTimeoutMs?: number
	/** Put before every key (REDIS_KEY_PREFIX), so deployments or tests can share one Redis. */
	keyPrefix?: string
}

// Fail fast, recover alone. A command fails at once while the connection is down (no offline
// queue: a queued command is a request hanging for as long as the outage lasts) and after
// `commandTimeoutMs` when Redis is connected but silent (frozen, or the network dropping packets).
// Reconnects run in the background with capped, jittered backoff, so the gateway is back within
// about two seconds of Redis. Connecting starts at once; nothing waits for it (see `whenReady`).
export function connectRedis(url: string, opts: ConnectRedisOptions = {}): Redis {
	const client = new Redis(url, {
		keyPrefix: opts.keyPrefix,
		connectTimeout: 2_000,
		commandTimeout: opts.commandTimeoutMs ?? 1_000,
		enableOfflineQueue: false,
		// a command in flight when the connection drops fails instead of being retried later
		maxRetriesPerRequest: 0,
		retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000) + Math.floor(Math.random() * 250),
	})
	let lastLogged = 0
	// without a listener ioredis prints every connection error to stderr; log at most every 10 s
	client.on('error', (err: Error) => {
		const now = Date.now()
		if (now - lastLogged < 10_000) return
		lastLogged = now
		log.warn({ err: err.message }, 'redis connection error')
	})
	return client
}

/** Resolves when the first connection is ready, or after `timeoutMs` (false) without failing. */
export async function whenReady(client: Redis, timeoutMs: number): Promise<boolean> {
	if (client.status === 'ready') return true
	let timer: ReturnType<typeof setTimeout> | undefined
	let onReady: (() => void) | undefined
	try {
		return await new Promise<boolean>((resolve) => {
			onReady = () => resolve(true)
			client.once('ready', onReady)
			timer = setTimeout(() => resolve(false), timeoutMs)
		})
	} finally {
		clearTimeout(timer)
		if (onReady) client.off('ready', onReady)
	}
}

// For /health/ready: true only if Redis answers PING within the timeout.
export async function isRedisReady(client: Redis, timeoutMs = 1_000): Promise<boolean> {
	let timer: ReturnType<typeof setTimeout> | undefined
	const timeout = new Promise<false>((resolve) => {
		timer = setTimeout(() => resolve(false), timeoutMs)
	})
	try {
		const ping = client.ping().then(
			(reply) => reply === 'PONG',
			() => false,
		)
		return await Promise.race([ping, timeout])
	} finally {
		clearTimeout(timer)
	}
}
