import type { Server } from 'bun'
import type { Redis } from 'ioredis'
import type { Config } from './config'
import type { AccessGuard } from './modules/access'
import type { OperationsDeps } from './modules/operations/service'
import type { Logger } from './obs/logger'
import { type HotCounters, type MetricSources, Metrics } from './obs/metrics'
import { FleetResumeStore } from './session/resume-store'
import type { FieldCipher } from './store/crypto'
import { FleetRedis } from './store/fleet-redis'
import type { RateLimiterFactory, RateVerdict } from './store/rate-limits'
import { connectRedis } from './store/redis'
import type { DeviceRegistry } from './ws/device-registry'
import { FleetNode } from './ws/fleet-node'

// Part of the composition root (gateway.ts calls it): metrics, the fleet node (presence, commands,
// resume across nodes) and the private metrics listener. Kept apart so gateway.ts stays the map.

// Presence outlives a node killed with -9 by this long at most; a live node refreshes at a third of it.
// ? resume window + one refresh: a context checkpointed just before the kill still waits the full window.
const presenceTtl = (resumeWindowMs: number) => resumeWindowMs + Math.max(1000, Math.floor(resumeWindowMs / 3))

/** Rate limiters whose refusals are counted by limit name (teddy_rate_limited_total{limit}). */
export function countingLimiters(make: RateLimiterFactory, counters: HotCounters | undefined): RateLimiterFactory {
	if (!counters) return make
	return (name, limit, windowMs) => {
		const inner = make(name, limit, windowMs)
		counters.rateLimited[name] ??= 0
		const take = async (key: string): Promise<RateVerdict> => {
			const verdict = await inner.take(key)
			if (!verdict.allowed) counters.rateLimited[name]++
			return verdict
		}
		return { take, hit: async (key) => (await take(key)).allowed, close: () => inner.close?.() }
	}
}

export interface Operations {
	metrics?: Metrics
	fleet: FleetNode
	resume: FleetResumeStore
	redisDegraded(): number | null
	/** The operator routes' dependencies: operators are the parent side's accounts with role `operator`. */
	operations(access: AccessGuard, audit: OperationsDeps['audit']): OperationsDeps
	/** Starts the presence refresh, the metric sources and the private metrics port once the sockets exist. */
	start(sources: Omit<MetricSources, 'node' | 'redisDegraded'>): void
	close(): Promise<void>
}

export function createOperations(config: Config, log: Logger, cipher: FieldCipher, redis: Redis | undefined, registry: DeviceRegistry): Operations {
	const metrics = config.metrics.enabled ? new Metrics() : undefined
	const counters = metrics?.hot
	const nodeId = config.fleet.nodeId
	const ttl = presenceTtl(config.fleet.resumeWindowMs)
	let node: FleetNode | undefined
	const fleetRedis = redis
		? new FleetRedis({
				nodeId,
				client: redis,
				// ? A subscribed connection can do nothing else: the fleet's channel gets its own.
				subscriber: connectRedis(config.redisUrl as string, { keyPrefix: config.redisKeyPrefix }),
				// ? keyPrefix does not reach pub/sub channel names: deployments sharing a Redis stay apart by this.
				channelPrefix: config.redisKeyPrefix,
				log,
				presenceTtlMs: ttl,
				onMessage: (m) => node?.receive(m),
				onError: () => {
					if (counters) counters.storeErrors.redis++
				},
				onRecovered: () => void node?.refresh(),
			})
		: undefined
	// ? The shared client connects lazily; the fleet needs it up to know Redis is healthy.
	redis?.ping().catch(() => {})
	const resume = new FleetResumeStore({ redis: fleetRedis, cipher, windowMs: config.fleet.resumeWindowMs, liveTtlMs: ttl, log, counters })
	const fleet: FleetNode = (node = new FleetNode({ nodeId, registry, redis: fleetRedis, log, presenceTtlMs: ttl, counters }))
	let metricsServer: Server<undefined> | undefined
	const redisDegraded = () => (fleetRedis ? (fleetRedis.healthy ? 0 : 1) : null)

	return {
		metrics,
		resume,
		fleet,
		redisDegraded,
		operations(access, audit) {
			const token = config.metrics.token
			const scrape: OperationsDeps['scrape'] = token
				? { kind: 'bearer', token }
				: config.nodeEnv === 'production'
					? { kind: 'closed', why: 'set METRICS_TOKEN, or scrape the private METRICS_PORT' }
					: { kind: 'open' }
			return { scrape, metrics, access, audit, command: (cmd) => fleet.command(cmd) }
		},
		start(sources) {
			fleet.start()
			metrics?.watch({ ...sources, node: nodeId, redisDegraded })
			if (metrics && config.metrics.port) {
				const m = metrics
				// ? Private port (the pod network, not the Ingress): no auth, nothing but the scrape. With
				// GATEWAY_PROCESSES=N each process has its own port (main.ts), so every one is scraped.
				metricsServer = Bun.serve({
					port: config.metrics.port,
					hostname: config.host,
					async fetch(req) {
						if (new URL(req.url).pathname !== '/metrics') return new Response('not found', { status: 404 })
						return new Response(await m.text(), { headers: { 'content-type': m.contentType } })
					},
				})
			}
		},
		async close() {
			fleet.stop()
			metricsServer?.stop(true)
			await fleetRedis?.close()
		},
	}
}
