import { t } from 'elysia'
import { Message } from '../conversations/model'

export const AlertQuery = t.Object({
	child_id: t.Optional(t.String({ maxLength: 64 })),
	open: t.Optional(t.BooleanString({ description: 'true: only alerts not yet acknowledged' })),
	limit: t.Optional(t.Numeric({ minimum: 1, maximum: 100 })),
	before: t.Optional(t.String({ format: 'date-time', description: '`created_at` of the oldest alert shown' })),
})

export const Alert = t.Object({
	id: t.String(),
	child_id: t.Union([t.String(), t.Null()]),
	device_id: t.Union([t.String(), t.Null()]),
	kind: t.Union([t.Literal('self_harm'), t.Literal('abuse'), t.Literal('danger')]),
	source: t.Union([t.Literal('keyword'), t.Literal('moderation')]),
	language: t.String(),
	excerpt: t.String({ description: 'the child’s words that raised it' }),
	created_at: t.String({ format: 'date-time' }),
	emailed_at: t.Union([t.String({ format: 'date-time' }), t.Null()]),
	acknowledged_at: t.Union([t.String({ format: 'date-time' }), t.Null()]),
	acknowledged_by: t.Union([t.String(), t.Null()]),
})

export const AlertList = t.Object({ alerts: t.Array(Alert, { description: 'newest first' }) })
export const AlertWithContext = t.Composite([
	Alert,
	t.Object({ context: t.Array(Message, { description: 'what the child and the toy said around it, oldest first' }) }),
])
