import { Elysia, t } from 'elysia'
import { GatewayError } from '../../errors'
import { CommandResult, DeviceCommand, ErrorBody, MetricsJson } from './model'
import { checkScrape, type OperationsDeps, requireOperator, runCommand } from './service'

// Operators' routes: Prometheus /metrics, the same figures as JSON for the seed's
// GET /api/v1/esp32/metrics, and device commands carried to whichever gateway holds the toy.

export function operationsModule(deps: OperationsDeps) {
	return new Elysia({ name: 'Operations', detail: { tags: ['operations'] } })
		.get(
			'/metrics',
			async ({ headers, set }) => {
				if (!deps.metrics) throw new GatewayError('NOT_FOUND', 'metrics are off (METRICS=off)')
				checkScrape(deps, headers.authorization)
				set.headers['content-type'] = deps.metrics.contentType
				return deps.metrics.text()
			},
			{
				response: { 200: t.String(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
				detail: {
					summary: 'Prometheus metrics',
					description: 'Open in development; with `METRICS_TOKEN` it takes `Authorization: Bearer <METRICS_TOKEN>`; with `METRICS_PORT` it is also served, without auth, on that private port. In production without a token it is 403 here.',
				},
			},
		)
		.get(
			'/api/v1/esp32/metrics',
			async ({ headers }) => {
				await requireOperator(deps, headers.authorization)
				if (!deps.metrics) throw new GatewayError('NOT_FOUND', 'metrics are off (METRICS=off)')
				return deps.metrics.snapshot() as typeof MetricsJson.static
			},
			{ response: { 200: MetricsJson, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }, detail: { summary: "This gateway's session metrics as JSON (operator)" } },
		)
		.post(
			'/api/v1/operator/devices/:deviceId/commands',
			async ({ headers, params, body }) => {
				await requireOperator(deps, headers.authorization)
				const deviceId = params.deviceId
				if (body.type === 'disconnect') {
					return runCommand(deps, { type: 'disconnect', deviceId, code: body.code ?? 'FORBIDDEN', message: body.message ?? 'disconnected by an operator' })
				}
				return runCommand(deps, { type: 'send', deviceId, message: body.message })
			},
			{
				params: t.Object({ deviceId: t.String({ minLength: 1, maxLength: 128 }) }),
				body: DeviceCommand,
				response: { 200: CommandResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
				detail: {
					summary: 'Send a command to a toy on whichever gateway holds it (operator)',
					description: '`disconnect` closes its socket (4403 FORBIDDEN, or 1012 RESTARTING); `send` delivers `system {command:"reboot"}`, an `mcp` call or an `alert` to a xiaozhi toy. 404 when no gateway holds it.',
				},
			},
		)
}
