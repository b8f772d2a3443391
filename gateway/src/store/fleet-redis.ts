import type { Redis } from 'ioredis'
import type { Logger } from '../obs/logger'

// The Redis side of many gateways acting as one fleet (docs/operations.md, Scaling). PostgreSQL
// stays the source of truth; Redis holds only what is live and short-lived:
//   teddy:presence:<device>  which node holds the toy (re-asserted by that node every refresh)
//   teddy:ctx:<device>       the toy's conversation context, sealed by the caller (FieldCipher)
//   teddy:node:<node>        pub/sub channel of one node: device commands for toys it holds
//   teddy:fleet              pub/sub channel of every node: notices all of them act on
// When Redis cannot be reached every call degrades to "not known / not delivered" at once (no
// queueing behind an outage), the node keeps serving its own toys from local state, one log line
// and the teddy_redis_degraded gauge say so, and `onRecovered` lets the node re-announce itself.

const PRESENCE = 'teddy:presence:'
const CONTEXT = 'teddy:ctx:'
const CHANNEL = 'teddy:node:'
const EVERY_NODE = 'teddy:fleet'

// Deletes a key only if it still holds our value: a node never withdraws a toy that another node
// has taken since.
const DELETE_IF = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

export interface FleetRedisOptions {
	nodeId: string
	/** Commands to this node (and the client that receives them: pub/sub needs its own connection). */
	client: Redis
	subscriber: Redis
	/** Put before this node's channel name (REDIS_KEY_PREFIX: ioredis prefixes keys, not channels). */
	channelPrefix: string
	log: Logger
	/** Presence lives this long unless refreshed (the refresh runs at a third of it). */
	presenceTtlMs: number
	onMessage(message: string): void
	onError?(): void
	onRecovered?(): void
}

export class FleetRedis {
	private up = false
	private everUp = false

	constructor(private readonly o: FleetRedisOptions) {
		const { client, subscriber } = o
		for (const c of [client, subscriber]) {
			c.on('ready', () => this.check())
			c.on('end', () => this.check())
			c.on('close', () => this.check())
			c.on('error', () => this.o.onError?.())
		}
		const everyNode = o.channelPrefix + EVERY_NODE
		subscriber.on('message', (channel: string, message: string) => {
			if (channel !== everyNode) return o.onMessage(message)
			// ? A notice names its sender, which has acted on it already.
			try {
				const notice = JSON.parse(message) as { from?: unknown; message?: unknown }
				if (notice.from !== o.nodeId && typeof notice.message === 'string') o.onMessage(notice.message)
			} catch {
				o.log.warn({ node: o.nodeId }, 'fleet: malformed notice ignored')
			}
		})
		// ! Connections fail fast (no offline queue, store/redis.ts): subscribe once connected, and
		// again on every reconnect (a repeated SUBSCRIBE is harmless).
		const subscribe = () => void subscriber.subscribe(o.channelPrefix + CHANNEL + o.nodeId, o.channelPrefix + EVERY_NODE).catch(() => o.onError?.())
		subscriber.on('ready', subscribe)
		if (subscriber.status === 'ready') subscribe()
	}

	/** False while either connection is down: the node runs on its own state. */
	get healthy(): boolean {
		return this.up
	}

	private check(): void {
		const up = this.o.client.status === 'ready' && this.o.subscriber.status === 'ready'
		if (up === this.up) return
		this.up = up
		if (up) {
			if (this.everUp) this.o.log.warn({ node: this.o.nodeId }, 'redis back: fleet presence, commands and resume are shared again')
			this.everUp = true
			this.o.onRecovered?.()
		} else if (this.everUp) {
			this.o.log.error({ node: this.o.nodeId }, 'redis unreachable: running on node-local state (toys here keep talking; cross-node commands and resume pause)')
		}
	}

	private async attempt<T>(work: () => Promise<T>, fallback: T): Promise<T> {
		if (!this.up) return fallback
		try {
			return await work()
		} catch {
			this.o.onError?.()
			return fallback
		}
	}

	/** Claims the toys for this node (after connect, and each refresh so a restarted Redis learns them again). */
	announce(deviceIds: readonly string[]): Promise<void> {
		if (deviceIds.length === 0) return Promise.resolve()
		return this.attempt(async () => {
			const p = this.o.client.pipeline()
			for (const id of deviceIds) {
				p.set(PRESENCE + id, this.o.nodeId, 'PX', this.o.presenceTtlMs)
				p.pexpire(CONTEXT + id, this.o.presenceTtlMs)
			}
			await p.exec()
		}, undefined)
	}

	withdraw(deviceId: string): Promise<void> {
		return this.attempt(async () => {
			await this.o.client.eval(DELETE_IF, 1, PRESENCE + deviceId, this.o.nodeId)
		}, undefined)
	}

	/** The node that holds the toy, or null (offline, or Redis unreachable). */
	locate(deviceId: string): Promise<string | null> {
		return this.attempt(() => this.o.client.get(PRESENCE + deviceId), null)
	}

	/** How many nodes received it (0: no such node is alive, or Redis unreachable). */
	publish(nodeId: string, message: string): Promise<number> {
		return this.attempt(() => this.o.client.publish(this.o.channelPrefix + CHANNEL + nodeId, message), 0)
	}

	/** To every node but this one (a node acts on its own notice before sending it). */
	broadcast(message: string): Promise<number> {
		return this.attempt(() => this.o.client.publish(this.o.channelPrefix + EVERY_NODE, JSON.stringify({ from: this.o.nodeId, message })), 0)
	}

	saveContext(deviceId: string, sealed: string, ttlMs: number): Promise<void> {
		return this.attempt(async () => {
			await this.o.client.set(CONTEXT + deviceId, sealed, 'PX', ttlMs)
		}, undefined)
	}

	/** A child's data was deleted: its conversation context must not wait in Redis either. */
	dropContext(deviceId: string): Promise<void> {
		return this.attempt(async () => {
			await this.o.client.del(CONTEXT + deviceId)
		}, undefined)
	}

	/** Taken once: two nodes racing for one toy's context cannot both resume it. */
	takeContext(deviceId: string): Promise<string | null> {
		return this.attempt(() => this.o.client.getdel(CONTEXT + deviceId), null)
	}

	/** Closes the subscriber; the shared client belongs to the gateway. */
	async close(): Promise<void> {
		await this.o.subscriber.quit().catch(() => {})
	}
}
