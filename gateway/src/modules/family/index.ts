import { Elysia } from 'elysia'
import type { AccessGuard } from '../access'
import { ErrorBody, SIGNED_IN } from '../access/model'
import { Settings, SettingsPatch } from './model'
import type { FamilyService } from './service'

export function familyModule(deps: { service: FamilyService; access: AccessGuard }) {
	const { service } = deps
	const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }
	return new Elysia({ name: 'Family', detail: { tags: ['family'] } })
		.use(deps.access)
		.get('/api/v1/family/settings', ({ parent }) => service.get(parent.familyId), {
			parent: true,
			response: { 200: Settings, ...errors },
			detail: { summary: 'Your family’s toy rules, and what applies now', ...SIGNED_IN },
		})
		.patch('/api/v1/family/settings', ({ parent, body }) => service.update(parent.familyId, body), {
			parent: true,
			body: SettingsPatch,
			response: { 200: Settings, ...errors },
			detail: {
				summary: 'Change your family’s toy rules',
				description: 'Daily limit, quiet hours, token budget, break reminders, allowed device tools, time zone, retention. They apply from the toys’ next turn.',
				...SIGNED_IN,
			},
		})
}
