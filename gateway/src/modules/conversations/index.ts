import { Elysia } from 'elysia'
import type { AccessGuard } from '../access'
import { ErrorBody, IdParams, SIGNED_IN } from '../access/model'
import { ConversationPage, ConversationPageQuery, MessagePage, MessagePageQuery } from './model'
import type { ConversationsService } from './service'

export function conversationsModule(deps: { service: ConversationsService; access: AccessGuard }) {
	const { service } = deps
	const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }
	return new Elysia({ name: 'Conversations', detail: { tags: ['conversations'] } })
		.use(deps.access)
		.get(
			'/api/v1/children/:id/conversations',
			async ({ parent, params, query }) => {
				const page = await service.list(parent, params.id, query.limit ?? 20, query.before)
				return {
					conversations: page.items.map((c) => ({
						id: c.id,
						child_id: c.childId,
						device_id: c.deviceId,
						started_at: c.startedAt.toISOString(),
						ended_at: c.endedAt?.toISOString() ?? null,
						messages: c.messages,
					})),
					next: page.next,
				}
			},
			{
				parent: true,
				params: IdParams,
				query: ConversationPageQuery,
				response: { 200: ConversationPage, ...errors },
				detail: { summary: 'A child’s conversations, newest first', ...SIGNED_IN },
			},
		)
		.get(
			'/api/v1/conversations/:id/messages',
			async ({ parent, params, query }) => {
				const page = await service.messages(parent, params.id, query.limit ?? 50, query.before)
				return {
					conversation_id: params.id,
					messages: page.items.map((m) => ({ id: m.id, seq: m.seq, role: m.role, text: m.text, created_at: m.createdAt.toISOString() })),
					next: page.next,
				}
			},
			{
				parent: true,
				params: IdParams,
				query: MessagePageQuery,
				response: { 200: MessagePage, ...errors },
				detail: { summary: 'What was said in a conversation, newest first, decrypted', ...SIGNED_IN },
			},
		)
}
