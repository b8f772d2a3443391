import { swagger } from '@elysiajs/swagger'
import { Elysia } from 'elysia'
import { GatewayError } from './errors'
import { healthModule } from './modules/health'
import type { HealthDeps } from './modules/health/service'
import { otaModule } from './modules/ota'
import type { OtaDeps } from './modules/ota/service'
import { operationsModule } from './modules/operations'
import type { OperationsDeps } from './modules/operations/service'
import { type PairingModuleDeps, pairingModule } from './modules/pairing'
import type { Logger } from './obs/logger'

// The REST side: one Elysia app, feature modules plugged in, one place that turns errors into
// `{code, message}` bodies. Device WebSockets do not pass through here (see ws/device-sockets.ts).

export interface AppDeps {
	log: Logger
	health: HealthDeps
	ota: OtaDeps
	pairing: PairingModuleDeps
	operations: OperationsDeps
}

export function buildApp(deps: AppDeps) {
	return new Elysia()
		.use(
			swagger({
				path: '/swagger',
				documentation: {
					info: { title: 'Teddy gateway', version: deps.health.version, description: 'Voice gateway for AI talking toys' },
				},
			}),
		)
		.onError(({ code, error, set, request }) => {
			if (error instanceof GatewayError) {
				set.status = error.status
				return error.toJSON()
			}
			if (code === 'VALIDATION') {
				set.status = 400
				return { code: 'BAD_REQUEST', message: error.message }
			}
			if (code === 'NOT_FOUND') {
				set.status = 404
				return { code: 'NOT_FOUND', message: 'no such route' }
			}
			if (code === 'PARSE') {
				set.status = 400
				return { code: 'INVALID_JSON', message: 'request body is not valid JSON' }
			}
			const cid = crypto.randomUUID()
			deps.log.error({ err: error, cid, path: new URL(request.url).pathname }, 'unhandled REST error')
			set.status = 500
			return { code: 'INTERNAL', message: `internal error (correlation id ${cid})` }
		})
		.use(healthModule(deps.health))
		.use(otaModule(deps.ota))
		.use(pairingModule(deps.pairing))
		.use(operationsModule(deps.operations))
}

export type App = ReturnType<typeof buildApp>
