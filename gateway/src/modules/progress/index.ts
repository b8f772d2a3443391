import { Elysia } from 'elysia'
import type { AccessGuard } from '../access'
import { ErrorBody, IdParams, SIGNED_IN } from '../access/model'
import { Progress } from './model'
import { childProgress, type ProgressDeps } from './service'

export function progressModule(deps: ProgressDeps & { access: AccessGuard }) {
	return new Elysia({ name: 'Progress', detail: { tags: ['progress'] } })
		.use(deps.access)
		.get('/api/v1/children/:id/progress', ({ parent, params }) => childProgress(deps, parent, params.id), {
			parent: true,
			params: IdParams,
			response: { 200: Progress, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
			detail: { summary: 'A child’s learning progress per season and episode', ...SIGNED_IN },
		})
}
