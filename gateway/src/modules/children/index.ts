import { Elysia } from 'elysia'
import { CONSENT_POLICY_VERSION, CONSENT_TEXT, IMPLEMENTED_METHODS } from '../../safety/consent'
import type { ChildProfileRecord } from '../../store/family-children'
import type { ConsentRecord as StoredConsent } from '../../store/consents'
import type { AccessGuard } from '../access'
import { ErrorBody, IdParams, SIGNED_IN } from '../access/model'
import { Done, LinkBody } from '../accounts/model'
import {
	Child,
	type ChildBody,
	ChildList,
	ChildPatchBody,
	ConsentPending,
	ConsentPolicy,
	type ConsentRecordBody,
	ConsentRequestBody,
	ConsentStatus,
	ConsentWithdrawQuery,
	NewChildBody,
	Withdrawn,
} from './model'
import type { ChildrenService } from './service'

export interface ChildrenModuleDeps {
	service: ChildrenService
	access: AccessGuard
	clientIp: (request: Request) => string
	thirdPartyAi: boolean
}

export const childBody = (c: ChildProfileRecord): ChildBody => ({
	id: c.id,
	name: c.name,
	age: c.age,
	birth_year: c.birthYear,
	language: c.language,
	voice: c.voice,
	timezone: c.timezone,
	country: c.country,
	created_at: c.createdAt.toISOString(),
})

export const consentBody = (c: StoredConsent): ConsentRecordBody => ({
	id: c.id,
	kind: c.kind,
	method: c.method,
	policy_version: c.policyVersion,
	parent_id: c.parentId,
	parent_email: c.parentEmail,
	client_ip: c.clientIp,
	requested_at: c.requestedAt.toISOString(),
	confirmed_at: c.confirmedAt?.toISOString() ?? null,
	withdrawn_at: c.withdrawnAt?.toISOString() ?? null,
})

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody }

export function childrenModule(deps: ChildrenModuleDeps) {
	const { service } = deps
	return new Elysia({ name: 'Children', detail: { tags: ['children'] } })
		.use(deps.access)
		.get('/api/v1/children', async ({ parent }) => ({ children: (await service.list(parent)).map(childBody) }), {
			parent: true,
			response: { 200: ChildList, ...errors },
			detail: { summary: 'Your family’s children', ...SIGNED_IN },
		})
		.post(
			'/api/v1/children',
			async ({ parent, body, status }) => status(201, childBody(await service.create(parent, body))),
			{
				parent: true,
				body: NewChildBody,
				response: { 201: Child, ...errors },
				detail: {
					summary: 'Add a child',
					description: 'Give `age` (3-13) or `birth_year`. The toy will not talk with the child until a parent gives consent.',
					...SIGNED_IN,
				},
			},
		)
		.get('/api/v1/children/:id', async ({ parent, params }) => childBody(await service.get(parent, params.id)), {
			parent: true,
			params: IdParams,
			response: { 200: Child, ...errors },
			detail: { summary: 'One child’s profile', ...SIGNED_IN },
		})
		.patch('/api/v1/children/:id', async ({ parent, params, body }) => childBody(await service.update(parent, params.id, body)), {
			parent: true,
			params: IdParams,
			body: ChildPatchBody,
			response: { 200: Child, ...errors },
			detail: { summary: 'Change a child’s profile', ...SIGNED_IN },
		})
		.get(
			'/api/v1/consent/policy',
			() => ({
				version: CONSENT_POLICY_VERSION,
				texts: { coppa: CONSENT_TEXT.coppa, third_party_ai: CONSENT_TEXT.third_party_ai },
				methods: [...IMPLEMENTED_METHODS],
				third_party_ai_required: deps.thirdPartyAi,
				training: false as const,
			}),
			{
				response: { 200: ConsentPolicy },
				detail: { tags: ['consent'], summary: 'The consent texts to show a parent, and their version' },
			},
		)
		.get(
			'/api/v1/children/:id/consent',
			async ({ parent, params }) => {
				const c = await service.consent(parent, params.id)
				return {
					child_id: params.id,
					coppa: c.coppa,
					third_party_ai: c.thirdPartyAi,
					third_party_ai_required: deps.thirdPartyAi,
					policy_version: CONSENT_POLICY_VERSION,
					history: c.history.map(consentBody),
				}
			},
			{
				parent: true,
				params: IdParams,
				response: { 200: ConsentStatus, ...errors },
				detail: { tags: ['consent'], summary: 'Whether the toy may talk with the child, and every consent record', ...SIGNED_IN },
			},
		)
		.post(
			'/api/v1/children/:id/consent',
			async ({ parent, params, body, request, status }) => {
				await service.requestConsent(
					parent,
					params.id,
					{ policyVersion: body.policy_version, method: body.method, thirdPartyAi: body.third_party_ai },
					deps.clientIp(request),
				)
				return status(202, { status: 'pending' as const, message: 'confirm with the link mailed to your verified address' })
			},
			{
				parent: true,
				params: IdParams,
				body: ConsentRequestBody,
				response: { 202: ConsentPending, 409: ErrorBody, ...errors },
				detail: {
					tags: ['consent'],
					summary: 'Give verifiable parental consent (email_plus)',
					description:
						'Records the method, time, policy version, the parent’s account and verified address and the client address, then mails a confirmation link to that address; consent counts once it is confirmed (POST /api/v1/consent/confirm). `third_party_ai` is the separate consent to send the child’s words to the AI service. 409 when `policy_version` is not the current text.',
					...SIGNED_IN,
				},
			},
		)
		.post(
			'/api/v1/consent/confirm',
			async ({ body }) => {
				await service.confirmConsent(body.token)
				return { status: 'ok' as const }
			},
			{
				body: LinkBody,
				response: { 200: Done, 400: ErrorBody },
				detail: { tags: ['consent'], summary: 'Confirm consent with the mailed token' },
			},
		)
		.delete(
			'/api/v1/children/:id/consent',
			async ({ parent, params, query }) => service.withdrawConsent(parent, params.id, query.kind ?? 'all'),
			{
				parent: true,
				params: IdParams,
				query: ConsentWithdrawQuery,
				response: { 200: Withdrawn, ...errors },
				detail: {
					tags: ['consent'],
					summary: 'Withdraw consent',
					description: 'The child’s toys connected now are closed with 4403 at once and refused until consent is given again.',
					...SIGNED_IN,
				},
			},
		)
}
