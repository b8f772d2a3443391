import { Elysia } from 'elysia'
import type { AccessGuard } from '../access'
import { COOKIE, ErrorBody, IdParams, SIGNED_IN } from '../access/model'
import { AuditList, AuditQuery, DeleteAccountBody, Deleted, Export } from './model'
import type { ExportDoc, PrivacyService } from './service'

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }

function attachment(set: { headers: Record<string, unknown> }, doc: ExportDoc, name: string): ExportDoc {
	set.headers['content-disposition'] = `attachment; filename="teddy-${name}-${doc.exported_at.slice(0, 10)}.json"`
	// ? A copy of a child's data must not linger in a shared cache.
	set.headers['cache-control'] = 'no-store'
	return doc
}

export function privacyModule(deps: { service: PrivacyService; access: AccessGuard }) {
	const { service } = deps
	return new Elysia({ name: 'Privacy', detail: { tags: ['privacy'] } })
		.use(deps.access)
		.get('/api/v1/children/:id/export', async ({ parent, params, set }) => attachment(set, await service.exportChild(parent, params.id), 'child'), {
			parent: true,
			params: IdParams,
			response: { 200: Export, ...errors },
			detail: { summary: 'Everything stored about a child, as JSON', ...SIGNED_IN },
		})
		.get('/api/v1/family/export', async ({ parent, set }) => attachment(set, await service.exportFamily(parent), 'family'), {
			parent: true,
			response: { 200: Export, ...errors },
			detail: { summary: 'Everything stored about your household, as JSON', ...SIGNED_IN },
		})
		.get(
			'/api/v1/family/audit',
			async ({ parent, query }) => ({
				entries: (await service.auditLog(parent, query.limit ?? 50, query.before ? new Date(query.before) : undefined)).map((e) => ({
					at: e.at.toISOString(),
					actor_role: e.actorRole,
					by_you: e.byYou,
					action: e.action,
					reason: e.reason,
				})),
			}),
			{
				parent: true,
				query: AuditQuery,
				response: { 200: AuditList, ...errors },
				detail: { summary: 'Who opened your children’s data, and when (parents and operators)', ...SIGNED_IN },
			},
		)
		.delete(
			'/api/v1/conversations/:id',
			async ({ parent, params }) => {
				await service.deleteConversation(parent, params.id)
				return { deleted: true as const, disconnected: 0 }
			},
			{
				parent: true,
				params: IdParams,
				response: { 200: Deleted, ...errors },
				detail: { summary: 'Delete a conversation (and the toy’s memory of the child, which may quote it)', ...SIGNED_IN },
			},
		)
		.delete('/api/v1/children/:id', async ({ parent, params }) => ({ deleted: true as const, ...(await service.deleteChild(parent, params.id)) }), {
			parent: true,
			params: IdParams,
			response: { 200: Deleted, ...errors },
			detail: {
				summary: 'Delete a child and everything about them',
				description: 'Profile, conversations, alerts, consents, progress and memory; the child’s toys are unpaired, their tokens revoked and their live connections closed with 4403.',
				...SIGNED_IN,
			},
		})
		.delete(
			'/api/v1/accounts/me',
			async ({ parent, body, cookie }) => {
				const r = await service.deleteAccount(parent, body.password)
				for (const name of [COOKIE.access, COOKIE.refresh, COOKIE.csrf]) cookie[name]?.remove()
				return { deleted: true as const, ...r }
			},
			{
				parent: true,
				body: DeleteAccountBody,
				response: { 200: Deleted, ...errors },
				detail: {
					summary: 'Delete your account and your household',
					description: 'With the last parent of a household the whole household goes: children and all their data, toys’ pairings and usage, settings, sessions. Backups age out on their own schedule (docs/privacy.md).',
					tags: ['accounts', 'privacy'],
					...SIGNED_IN,
				},
			},
		)
}
