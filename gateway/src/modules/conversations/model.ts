import { t } from 'elysia'

export const ConversationPageQuery = t.Object({
	limit: t.Optional(t.Numeric({ minimum: 1, maximum: 100, description: 'page size (default 20)' })),
	before: t.Optional(t.String({ maxLength: 200, description: '`next` of the previous page' })),
})

export const MessagePageQuery = t.Object({
	limit: t.Optional(t.Numeric({ minimum: 1, maximum: 200, description: 'page size (default 50)' })),
	before: t.Optional(t.Numeric({ minimum: 1, description: '`next` of the previous page (a message seq)' })),
})

export const Conversation = t.Object({
	id: t.String(),
	child_id: t.String(),
	device_id: t.String(),
	started_at: t.String({ format: 'date-time' }),
	ended_at: t.Union([t.String({ format: 'date-time' }), t.Null()]),
	messages: t.Integer(),
})

export const ConversationPage = t.Object({
	conversations: t.Array(Conversation, { description: 'newest first' }),
	next: t.Union([t.String(), t.Null()], { description: 'cursor of the next (older) page; null at the end' }),
})

export const Message = t.Object({
	id: t.String(),
	seq: t.Integer(),
	role: t.Union([t.Literal('child'), t.Literal('assistant'), t.Literal('system')]),
	text: t.String({ description: 'decrypted on the server' }),
	created_at: t.String({ format: 'date-time' }),
})

export const MessagePage = t.Object({
	conversation_id: t.String(),
	messages: t.Array(Message, { description: 'newest first' }),
	next: t.Union([t.Integer(), t.Null()]),
})
