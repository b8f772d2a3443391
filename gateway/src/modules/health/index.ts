import { Elysia } from 'elysia'
import { Health, Ready } from './model'
import { type HealthDeps, readiness } from './service'

export function healthModule(deps: HealthDeps) {
	return new Elysia({ name: 'Health', detail: { tags: ['health'] } })
		.get(
			'/health',
			() => ({
				status: deps.draining() ? ('degraded' as const) : ('ok' as const),
				version: deps.version,
				uptime_s: Math.round((Date.now() - deps.startedAt) / 1000),
				codec: deps.codec,
				connections: deps.connections(),
			}),
			{ response: Health, detail: { summary: 'Liveness with a summary' } },
		)
		.get('/health/live', () => ({ status: 'ok' as const }), { detail: { summary: 'Process is alive' } })
		.get(
			'/health/ready',
			async ({ status }) => {
				const body = await readiness(deps)
				return body.ready ? body : status(503, body)
			},
			{ response: { 200: Ready, 503: Ready }, detail: { summary: 'Database, Redis and codec are usable' } },
		)
}
