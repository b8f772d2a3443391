import type { ValueError } from '@sinclair/typebox/errors'
import { type AnyElysia, Elysia, type ErrorHandler } from 'elysia'
import { GatewayError } from './errors'
import { securitySchemes } from './modules/access/model'
import { type DeviceConfigModuleDeps, deviceConfigModule } from './modules/device-config'
import { docsModule } from './modules/docs'
import { type EdgeDeps, edgeModule } from './modules/edge'
import { validationMessage } from './modules/edge/validation-message'
import { type FirmwareModuleDeps, firmwareModule } from './modules/firmware'
import { healthModule } from './modules/health'
import type { HealthDeps } from './modules/health/service'
import { otaModule } from './modules/ota'
import { parentAppModule } from './modules/parent-app'
import type { ParentAppBundle } from './modules/parent-app/service'
import type { OtaDeps } from './modules/ota/service'
import { operationsModule } from './modules/operations'
import type { OperationsDeps } from './modules/operations/service'
import { type PairingModuleDeps, pairingModule } from './modules/pairing'
import type { Logger } from './obs/logger'

// The REST side: one Elysia app, feature modules plugged in, one place that turns errors into
// `{code, message}` bodies. Device WebSockets do not pass through here (see ws/device-sockets.ts).

export interface AppDeps {
	log: Logger
	edge: EdgeDeps
	health: HealthDeps
	ota: OtaDeps
	pairing: PairingModuleDeps
	deviceConfig: DeviceConfigModuleDeps
	firmware: FirmwareModuleDeps
	operations: OperationsDeps
	/** The parent side (accounts, children, consent, …), built by parent-side.ts. */
	parents: AnyElysia
	/** The parent web app served at /app (modules/parent-app), built at start. */
	parentApp?: ParentAppBundle
}

/** Turns every error into a `{code, message}` body; unexpected ones get a logged correlation id. */
export function handleError(log: Logger): ErrorHandler {
	return ({ code, error, set, request }) => {
		if (error instanceof GatewayError) {
			set.status = error.status
			if (error.retryAfterSeconds) set.headers['retry-after'] = String(error.retryAfterSeconds)
			if (error.code !== 'UNAVAILABLE') return error.toJSON()
			// a dependency is down: the client gets an id to quote, the log says what failed
			const cid = crypto.randomUUID()
			log.warn({ cid, path: new URL(request.url).pathname, reason: error.message }, 'REST request refused: dependency unavailable')
			set.headers['x-correlation-id'] = cid
			return { code: error.code, message: `${error.message} (correlation id ${cid})` }
		}
		// ? A response that fails its own schema is our bug, not the client's: it falls through to 500.
		if (code === 'VALIDATION' && error.type !== 'response') {
			set.status = 400
			return { code: 'BAD_REQUEST', message: validationMessage(error.type, error.all as ValueError[]) }
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
		log.error({ err: error, cid, path: new URL(request.url).pathname }, 'unhandled REST error')
		set.headers['x-correlation-id'] = cid
		set.status = 500
		return { code: 'INTERNAL', message: `internal error (correlation id ${cid})` }
	}
}

export function buildApp(deps: AppDeps) {
	const app = new Elysia()
		.use(edgeModule(deps.edge))
		.use(
			docsModule(
				{ title: 'Teddy gateway', version: deps.health.version, description: 'Voice gateway for AI talking toys' },
				{ securitySchemes },
			),
		)
		.onError(handleError(deps.log))
		.use(healthModule(deps.health))
		.use(otaModule(deps.ota))
		.use(pairingModule(deps.pairing))
		.use(deviceConfigModule(deps.deviceConfig))
		.use(firmwareModule(deps.firmware))
		.use(operationsModule(deps.operations))
		.use(deps.parents)
	return deps.parentApp ? app.use(parentAppModule(deps.parentApp)) : app
}

export type App = ReturnType<typeof buildApp>
