import { GatewayError } from '../../errors'
import type { Delivery, FleetCommand } from '../../ws/fleet-node'

// Who may read the fleet's figures and steer its toys. Until operator accounts are in main, the
// operator is whoever holds OPERATOR_API_TOKEN; gateway.ts decides, this module only asks.
export type OperatorCheck = (authorization: string | undefined) => boolean | Promise<boolean>

export interface OperationsDeps {
	isOperator: OperatorCheck
	/** Prometheus text and its content type; undefined when METRICS=off. */
	metrics?: { text(): Promise<string>; contentType: string; snapshot(): unknown }
	/** Who may scrape /metrics on the main port: 'open', a bearer, or nobody (private port or production without a token). */
	scrape: { kind: 'open' } | { kind: 'bearer'; token: string } | { kind: 'closed'; why: string }
	command(cmd: FleetCommand): Promise<Delivery>
}

export async function requireOperator(deps: OperationsDeps, authorization: string | undefined): Promise<void> {
	if (!authorization) throw new GatewayError('UNAUTHORIZED', 'an operator bearer token is required')
	if (!(await deps.isOperator(authorization))) throw new GatewayError('FORBIDDEN', 'this route is for operators')
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

export async function runCommand(deps: OperationsDeps, cmd: FleetCommand): Promise<{ delivered: 'local' | 'remote' }> {
	const delivered = await deps.command(cmd)
	if (delivered === 'offline') throw new GatewayError('NOT_FOUND', 'this toy is not connected to any gateway (or does not take that command)')
	return { delivered }
}
