import { Elysia, t } from 'elysia'
import { GatewayError } from '../../errors'
import type { ConfigOverride } from '../../store/config-overrides'
import type { AccessGuard } from '../access'
import { audit } from '../access/audit'
import { ErrorBody, SIGNED_IN } from '../access/model'
import type { AuditRepository } from '../../store/audit'
import { ConfigQuery, DeviceConfig, Override, OverrideParams, Overrides, OverrideSettings } from './model'
import { buildConfig, type DeviceConfigDeps, etagMatches } from './service'

const overrideBody = (o: ConfigOverride) => ({ scope: o.scope, key: o.key, settings: o.settings, updated_at: o.updatedAt.toISOString() })
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }

function wsOrigin(request: Request): string {
	const url = new URL(request.url)
	const host = request.headers.get('host') ?? url.host
	const safeHost = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : url.host
	const secure = url.protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https'
	return `${secure ? 'wss' : 'ws'}://${safeHost}`
}

export type DeviceConfigModuleDeps = DeviceConfigDeps & { access: AccessGuard; audit: AuditRepository }

export function deviceConfigModule(deps: DeviceConfigModuleDeps) {
	return new Elysia({ name: 'DeviceConfig', detail: { tags: ['device config'] } })
		.use(deps.access)
		.get(
			'/api/v1/esp32/config',
			async ({ headers, query, request, set, status }) => {
				const { body, etag } = await buildConfig(deps, { headers, model: query.model, version: query.version, protocol: query.protocol, wsOrigin: wsOrigin(request) })
				set.headers.etag = etag
				// ? Revalidate every time: cheap (a 304), and an operator's change reaches the toy at its next boot.
				set.headers['cache-control'] = 'private, no-cache'
				if (etagMatches(headers['if-none-match'], etag)) return status(304, undefined)
				return { ...body, server_time: Date.now() } as never
			},
			{
				query: ConfigQuery,
				response: { 200: DeviceConfig, 304: t.Void({ description: 'unchanged; the Date header carries the time' }), ...errors },
				detail: {
					summary: 'Device config with ETag',
					description:
						'No authentication needed. With `Device-Id` and `Authorization: Bearer <device token>` the toy’s family override applies too (a bad token is `401`), and `version` (with `model`) is recorded as the version it runs (firmware rollback detection). The `ETag` is a hash of the body without `server_time`; send it back as `If-None-Match` to get `304` until an operator changes the defaults, the model’s or the family’s override.',
				},
			},
		)
		.get('/api/v1/operator/config-overrides', async () => ({ overrides: (await deps.overrides.list()).map(overrideBody) }), {
			operator: true,
			response: { 200: Overrides, ...errors },
			detail: { summary: 'Device config overrides', ...SIGNED_IN },
		})
		.put(
			'/api/v1/operator/config-overrides/:scope/:key',
			async ({ operator, params, body }) => {
				const o = await deps.overrides.put(params.scope, params.key, body, operator.parentId)
				await audit(deps.audit, operator, 'operator.config.override', { targetId: `${params.scope}:${params.key}`, reason: JSON.stringify(body) })
				return overrideBody(o)
			},
			{
				operator: true,
				params: OverrideParams,
				body: OverrideSettings,
				response: { 200: Override, ...errors },
				detail: {
					summary: 'Set the device config override of a board model or a family',
					description: 'Operators only; audited. Objects merge over the defaults key by key (model first, then family); the toys’ ETag changes with it.',
					...SIGNED_IN,
				},
			},
		)
		.delete(
			'/api/v1/operator/config-overrides/:scope/:key',
			async ({ operator, params }) => {
				if (!(await deps.overrides.remove(params.scope, params.key))) throw new GatewayError('NOT_FOUND', 'no such override')
				await audit(deps.audit, operator, 'operator.config.override.delete', { targetId: `${params.scope}:${params.key}` })
				return { deleted: true as const }
			},
			{ operator: true, params: OverrideParams, response: { 200: t.Object({ deleted: t.Literal(true) }), ...errors }, detail: { summary: 'Remove an override', ...SIGNED_IN } },
		)
}
