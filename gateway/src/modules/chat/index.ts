import { Elysia } from 'elysia'
import type { AccessGuard } from '../access'
import { ErrorBody, IdParams, SIGNED_IN } from '../access/model'
import { ChatAnswer, ChatBody } from './model'
import type { ChatService } from './service'

export function chatModule(deps: { service: ChatService; access: AccessGuard }) {
	return new Elysia({ name: 'Chat', detail: { tags: ['chat'] } })
		.use(deps.access)
		.post(
			'/api/v1/children/:id/chat',
			async ({ parent, params, body }) => {
				const r = await deps.service.chat(parent, params.id, body.text, body.audio === true)
				return {
					child_id: params.id,
					sentences: r.sentences,
					text: r.sentences.join(' '),
					...(r.audio ? { audio: { format: 'wav' as const, sample_rate: r.audio.sampleRate, data: Buffer.from(r.audio.wav).toString('base64') } } : {}),
				}
			},
			{
				parent: true,
				params: IdParams,
				body: ChatBody,
				response: { 200: ChatAnswer, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
				detail: {
					summary: 'Try what the toy would say to your child',
					description:
						'The typed text goes through the same safety layer and AI as the toy (the family’s rules, moderation, crisis handling, fixed lines), with the child’s profile. Nothing is added to the child’s conversations, memory or progress; the cost counts against the family’s daily budget. Needs the same consents as the toy (403 CONSENT_REQUIRED).',
					...SIGNED_IN,
				},
			},
		)
}
