import { Elysia, t } from 'elysia'
import { GatewayError } from '../../errors'
import { CommandResult, DeviceCommand, ErrorBody, MetricsJson } from './model'
import { SIGNED_IN } from '../access/model'
import { checkScrape, type OperationsDeps, runCommand } from './service'

// Operators' routes: Prometheus /metrics, the same figures as JSON for the seed's
// GET /api/v1/esp32/metrics, and device commands carried to whichever gateway holds the toy
// (disconnect and revoke are the operator module's, through the same fleet DeviceControl).

export function operationsModule(deps: OperationsDeps) {
	return new Elysia({ name: 'Operations', detail: { tags: ['operations'] } })
		.use(deps.access)
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
			async () => {
				if (!deps.metrics) throw new GatewayError('NOT_FOUND', 'metrics are off (METRICS=off)')
				return deps.metrics.snapshot() as typeof MetricsJson.static
			},
			{
				operator: true,
				response: { 200: MetricsJson, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
				detail: { summary: "This gateway's session metrics as JSON (operator)", ...SIGNED_IN },
			},
		)
		.post(
			'/api/v1/operator/devices/:id/commands',
			({ operator, params, body }) => runCommand(deps, operator, { type: 'send', deviceId: params.id, message: body.message }),
			{
				operator: true,
				params: t.Object({ id: t.String({ minLength: 1, maxLength: 128 }) }),
				body: DeviceCommand,
				response: { 200: CommandResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
				detail: {
					summary: 'Send a message to a toy on whichever gateway holds it (operator)',
					description:
						'`system {command:"reboot"}`, an `mcp` call or an `alert`, to a xiaozhi toy, audited. 404 when no gateway holds it. Closing a toy is `…/disconnect` or `…/revoke`.',
					...SIGNED_IN,
				},
			},
		)
}
