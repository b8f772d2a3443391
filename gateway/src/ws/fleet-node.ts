import { type Static, Type as T } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { Logger } from '../obs/logger'
import type { HotCounters } from '../obs/metrics'
import type { FleetRedis } from '../store/fleet-redis'
import type { DeviceControl, FleetDisconnectCode, LiveConnection } from '../session/device-control'
import type { DeviceRegistry } from './device-registry'
import { sendJson } from './send'

// This gateway as one node of a fleet: it tells Redis which toys it holds (presence, refreshed on
// a timer and re-announced when Redis comes back), and carries out device commands wherever the
// toy is connected — here at once, on another node by pub/sub on that node's channel. Without
// Redis (single node, or during an outage) a command reaches only the toys connected here.
// What every node keeps in memory about a child (the safety layer's context, a parked
// conversation) is forgotten on every node by a broadcast: new family rules apply fleet-wide at
// the toy's next turn, and a deleted child's words do not linger on another node.

/** Gateway → toy messages a command may send (PROTOCOL.md §4): reboot, an MCP call, an alert. */
export const DeviceMessage = T.Union([
	T.Object({ type: T.Literal('system'), command: T.Literal('reboot') }),
	T.Object({ type: T.Literal('mcp'), payload: T.Object({ jsonrpc: T.Literal('2.0') }, { additionalProperties: true }) }),
	T.Object({ type: T.Literal('alert'), status: T.String({ maxLength: 64 }), message: T.String({ maxLength: 512 }), emotion: T.String({ maxLength: 32 }) }),
])

export const FleetCommand = T.Union([
	T.Object({
		type: T.Literal('disconnect'),
		deviceId: T.String({ minLength: 1, maxLength: 128 }),
		code: T.Union([T.Literal('FORBIDDEN'), T.Literal('RESTARTING'), T.Literal('CONSENT_REQUIRED')]),
		message: T.String({ maxLength: 256 }),
	}),
	T.Object({ type: T.Literal('send'), deviceId: T.String({ minLength: 1, maxLength: 128 }), message: DeviceMessage }),
])
export type FleetCommand = Static<typeof FleetCommand>
const checkCommand = TypeCompiler.Compile(FleetCommand)

/** To every node: forget what is cached about a child (rules changed, or its data deleted). */
export const ForgetChild = T.Object({
	type: T.Literal('forget-child'),
	childId: T.String({ minLength: 1, maxLength: 128 }),
	/** Toys whose parked conversation with the child goes too (empty: keep them, only rules changed). */
	deviceIds: T.Array(T.String({ minLength: 1, maxLength: 128 }), { maxItems: 1000 }),
})
export type ForgetChild = Static<typeof ForgetChild>
const checkForget = TypeCompiler.Compile(ForgetChild)

/** Where a command went: applied here, handed to the node holding the toy, or no node holds it. */
export type Delivery = 'local' | 'remote' | 'offline'

export interface FleetNodeOptions {
	nodeId: string
	registry: DeviceRegistry
	redis?: FleetRedis
	log: Logger
	presenceTtlMs: number
	counters?: HotCounters
}

export class FleetNode implements DeviceControl {
	private timer: ReturnType<typeof setInterval> | undefined
	private forgetHere: ((childId: string, deviceIds: readonly string[]) => void) | undefined

	constructor(private readonly o: FleetNodeOptions) {}

	get nodeId(): string {
		return this.o.nodeId
	}

	start(): void {
		if (!this.o.redis) return
		this.timer = setInterval(() => void this.refresh(), Math.max(250, Math.floor(this.o.presenceTtlMs / 3)))
		this.timer.unref?.()
	}

	/** Every toy held here, claimed again: after a Redis restart presence is rebuilt within one refresh. */
	refresh(): Promise<void> {
		if (!this.o.redis) return Promise.resolve()
		const ids: string[] = []
		for (const ws of this.o.registry.all()) ids.push(ws.data.deviceId)
		return this.o.redis.announce(ids)
	}

	connected(deviceId: string): void {
		void this.o.redis?.announce([deviceId])
	}

	disconnected(deviceId: string): void {
		// ? A newer connection of the same toy here keeps the claim.
		if (!this.o.registry.get(deviceId)) void this.o.redis?.withdraw(deviceId)
	}

	/** Carries out a command wherever the toy is connected. */
	async command(cmd: FleetCommand): Promise<Delivery> {
		if (this.apply(cmd)) return 'local'
		const redis = this.o.redis
		const node = redis ? await redis.locate(cmd.deviceId) : null
		if (redis && node && node !== this.o.nodeId && (await redis.publish(node, JSON.stringify(cmd))) > 0) {
			if (this.o.counters) this.o.counters.fleetCommands.sent++
			return 'remote'
		}
		if (this.o.counters) this.o.counters.fleetCommands.undelivered++
		return 'offline'
	}

	// DeviceControl (parent side and operators): the toy wherever it is connected ---------------

	async disconnect(deviceId: string, code: FleetDisconnectCode, message: string): Promise<boolean> {
		return (await this.command({ type: 'disconnect', deviceId, code, message })) !== 'offline'
	}

	async isOnline(deviceId: string): Promise<boolean> {
		if (this.o.registry.isOnline(deviceId)) return true
		return (await this.o.redis?.locate(deviceId)) != null
	}

	/** The toys connected to this node (the fleet's are in each node's own list and in Redis presence). */
	connections(): LiveConnection[] {
		return this.o.registry.connections()
	}

	/** What this node forgets when told (the caches gateway.ts builds after the node). */
	onForgetChild(forget: (childId: string, deviceIds: readonly string[]) => void): void {
		this.forgetHere = forget
	}

	/** Forgets here at once, and tells every other node (their copies go within a Redis round trip). */
	forgetChild(childId: string, deviceIds: readonly string[]): void {
		this.forgetHere?.(childId, deviceIds)
		const notice: ForgetChild = { type: 'forget-child', childId, deviceIds: [...deviceIds] }
		void this.o.redis?.broadcast(JSON.stringify(notice))
	}

	/** A command published to this node's channel, or a notice to every node. */
	receive(text: string): void {
		let cmd: unknown
		try {
			cmd = JSON.parse(text)
		} catch {
			cmd = undefined
		}
		if (checkForget.Check(cmd)) {
			this.forgetHere?.(cmd.childId, cmd.deviceIds)
			return
		}
		if (!checkCommand.Check(cmd)) {
			this.o.log.warn({ node: this.o.nodeId }, 'fleet: malformed command ignored')
			return
		}
		if (this.o.counters) this.o.counters.fleetCommands.received++
		if (!this.apply(cmd)) this.o.log.info({ device: cmd.deviceId, command: cmd.type }, 'fleet: command for a toy no longer here')
	}

	stop(): void {
		clearInterval(this.timer)
	}

	private apply(cmd: FleetCommand): boolean {
		const ws = this.o.registry.get(cmd.deviceId)
		if (!ws) return false
		this.o.log.info({ cid: ws.data.cid, device: cmd.deviceId, command: cmd.type }, 'fleet: device command')
		if (cmd.type === 'disconnect') return this.o.registry.disconnect(cmd.deviceId, cmd.code, cmd.message)
		// ? Seed-json toys have no system, mcp or alert messages: the command does not apply to them.
		if (ws.data.protocol !== 'xiaozhi') return false
		sendJson(ws, cmd.message)
		return true
	}
}
