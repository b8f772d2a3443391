import { Elysia } from 'elysia'
import { localDay } from '../../safety/policy'
import type { FamilyRepository } from '../../store/families'
import type { AccessGuard } from '../access'
import { ErrorBody, SIGNED_IN } from '../access/model'
import { UsageQuery, UsageReport } from './model'
import type { UsageService } from './service'

export interface UsageModuleDeps {
	service: UsageService
	access: AccessGuard
	families: FamilyRepository
	/** The gateway's default zone, for families without their own. */
	defaultTimezone: string
}

export function usageModule(deps: UsageModuleDeps) {
	return new Elysia({ name: 'Usage', detail: { tags: ['usage'] } })
		.use(deps.access)
		.get(
			'/api/v1/usage',
			async ({ parent, query }) => {
				const family = await deps.families.get(parent.familyId)
				const today = localDay(family?.timezone ?? deps.defaultTimezone, Date.now())
				return deps.service.report(parent.familyId, query.from, query.to, today)
			},
			{
				parent: true,
				query: UsageQuery,
				response: { 200: UsageReport, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
				detail: { summary: 'Daily talk time, turns and estimated cost (default: the last 30 days)', ...SIGNED_IN },
			},
		)
}
