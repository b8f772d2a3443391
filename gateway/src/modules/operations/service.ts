import { GatewayError } from '../../errors'
import type { Delivery, FleetCommand } from '../../ws/fleet-node'
import type { AccessGuard, Principal } from '../access'

// Who may read the fleet's figures and steer its toys: operators are parent-side accounts with the
// `operator` role (modules/access, `bun scripts/operator.ts create`); every command is audited.

export interface OperationsDeps {
	access: AccessGuard
	/** Notes an operator's device command in the audit trail (before it is carried out). */
	audit(op: Principal, action: string, targetId: string): Promise<void>
	/** Prometheus text and its content type; undefined when METRICS=off. */
	metrics?: { text(): Promise<string>; contentType: string; snapshot(): unknown }
	/** Who may scrape /metrics on the main port: 'open', a bearer, or nobody (private port or production without a token). */
	scrape: { kind: 'open' } | { kind: 'bearer'; token: string } | { kind: 'closed'; why: string }
	command(cmd: FleetCommand): Promise<Delivery>
}

/** Constant-time comparison of `Authorization: Bearer <token>` against the configured one. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
	const m = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')
	if (!m) return false
	const a = Buffer.from(m[1])
	const b = Buffer.from(token)
	return a.length === b.length && crypto.timingSafeEqual(a, b)
}

export function checkScrape(deps: OperationsDeps, authorization: string | undefined): void {
	const s = deps.scrape
	if (s.kind === 'open') return
	if (s.kind === 'closed') throw new GatewayError('FORBIDDEN', s.why)
	if (!bearerMatches(authorization, s.token)) throw new GatewayError('UNAUTHORIZED', 'a metrics bearer token is required')
}

export async function runCommand(deps: OperationsDeps, op: Principal, cmd: FleetCommand): Promise<{ delivered: 'local' | 'remote' }> {
	await deps.audit(op, `operator.device.${cmd.type === 'send' ? cmd.message.type : cmd.type}`, cmd.deviceId)
	const delivered = await deps.command(cmd)
	if (delivered === 'offline') throw new GatewayError('NOT_FOUND', 'this toy is not connected to any gateway (or does not take that command)')
	return { delivered }
}
