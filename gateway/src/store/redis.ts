import { Redis } from 'ioredis'
import { log } from '../obs/logger'

export interface ConnectRedisOptions {
	// how long a command may wait for a connection before failing, so callers are never stuck
	// behind an outage
	connectTimeoutMs?: number
}

// Lazy: nothing touches the network until the first command, so the gateway can start (and report
// not-ready) while Redis is down, and reconnects with capped, jittered backoff.
export function connectRedis(url: string, opts: ConnectRedisOptions = {}): Redis {
	const client = new Redis(url, {
		lazyConnect: true,
		connectTimeout: opts.connectTimeoutMs ?? 5_000,
		// fail a command after a few reconnect attempts instead of queueing it forever
		maxRetriesPerRequest: 2,
		retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 5_000) + Math.floor(Math.random() * 250),
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
