import { t } from 'elysia'

export const ChatBody = t.Object({
	text: t.String({ minLength: 1, maxLength: 500, description: 'what the child might say' }),
	audio: t.Optional(t.Boolean({ description: 'also return the spoken answer (WAV, 24 kHz mono, base64)' })),
})

export const ChatAnswer = t.Object({
	child_id: t.String(),
	sentences: t.Array(t.String(), { description: 'the answer as the toy would say it, fixed safety lines included' }),
	text: t.String(),
	audio: t.Optional(t.Object({ format: t.Literal('wav'), sample_rate: t.Integer(), data: t.String({ description: 'base64' }) })),
})
