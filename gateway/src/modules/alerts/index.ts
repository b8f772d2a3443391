import { Elysia } from 'elysia'
import type { FamilyAlert } from '../../store/family-alerts'
import type { AccessGuard } from '../access'
import { ErrorBody, IdParams, SIGNED_IN } from '../access/model'
import { Alert, AlertList, AlertQuery, AlertWithContext } from './model'
import type { AlertsService } from './service'

export const alertBody = (a: FamilyAlert) => ({
	id: a.id,
	child_id: a.childId,
	device_id: a.deviceId,
	kind: a.kind,
	source: a.source,
	language: a.language,
	excerpt: a.excerpt,
	created_at: a.createdAt.toISOString(),
	emailed_at: a.emailedAt?.toISOString() ?? null,
	acknowledged_at: a.acknowledgedAt?.toISOString() ?? null,
	acknowledged_by: a.acknowledgedBy,
})

export function alertsModule(deps: { service: AlertsService; access: AccessGuard }) {
	const { service } = deps
	const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }
	return new Elysia({ name: 'Alerts', detail: { tags: ['alerts'] } })
		.use(deps.access)
		.get(
			'/api/v1/alerts',
			async ({ parent, query }) => {
				const alerts = await service.list(parent, {
					childId: query.child_id,
					open: query.open,
					limit: query.limit ?? 20,
					before: query.before ? new Date(query.before) : undefined,
				})
				return { alerts: alerts.map(alertBody) }
			},
			{
				parent: true,
				query: AlertQuery,
				response: { 200: AlertList, ...errors },
				detail: { summary: 'Crisis alerts of your children, newest first', ...SIGNED_IN },
			},
		)
		.get(
			'/api/v1/alerts/:id',
			async ({ parent, params }) => {
				const a = await service.get(parent, params.id)
				return {
					...alertBody(a),
					context: a.context.map((m) => ({ id: m.id, seq: m.seq, role: m.role, text: m.text, created_at: m.createdAt.toISOString() })),
				}
			},
			{
				parent: true,
				params: IdParams,
				response: { 200: AlertWithContext, ...errors },
				detail: { summary: 'One alert, with what was said around it', ...SIGNED_IN },
			},
		)
		.post('/api/v1/alerts/:id/acknowledge', async ({ parent, params }) => alertBody(await service.acknowledge(parent, params.id)), {
			parent: true,
			params: IdParams,
			response: { 200: Alert, ...errors },
			detail: { summary: 'Mark an alert as looked after', ...SIGNED_IN },
		})
}
