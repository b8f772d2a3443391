import { type Static, t } from 'elysia'

const Name = t.String({ minLength: 1, maxLength: 40, description: 'first name (or a nickname) the toy calls the child' })
const Age = t.Integer({ minimum: 3, maximum: 13 })
const BirthYear = t.Integer({ minimum: 1900, maximum: 2200, description: 'instead of age; the age must come out 3-13' })
const Language = t.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$', description: 'BCP 47, e.g. en, en-GB, vi' })
const Voice = t.String({ minLength: 1, maxLength: 64, description: 'the toy voice to answer with' })
const TimeZone = t.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Europe/London' })
const Country = t.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' })
const Nullable = <T extends ReturnType<typeof t.String>>(s: T) => t.Union([s, t.Null()])

export const NewChildBody = t.Object({
	name: Name,
	age: t.Optional(Age),
	birth_year: t.Optional(BirthYear),
	language: t.Optional(Language),
	voice: t.Optional(Voice),
	timezone: t.Optional(TimeZone),
	country: t.Optional(Country),
})

export const ChildPatchBody = t.Object({
	name: t.Optional(Name),
	age: t.Optional(Age),
	birth_year: t.Optional(t.Union([BirthYear, t.Null()])),
	language: t.Optional(Nullable(Language)),
	voice: t.Optional(Nullable(Voice)),
	timezone: t.Optional(Nullable(TimeZone)),
	country: t.Optional(Nullable(Country)),
})

export const Child = t.Object({
	id: t.String(),
	name: t.String(),
	age: t.Integer(),
	birth_year: t.Union([t.Integer(), t.Null()]),
	language: t.Union([t.String(), t.Null()]),
	voice: t.Union([t.String(), t.Null()]),
	timezone: t.Union([t.String(), t.Null()]),
	country: t.Union([t.String(), t.Null()]),
	created_at: t.String({ format: 'date-time' }),
})

export const ChildList = t.Object({ children: t.Array(Child) })

const Kind = t.Union([t.Literal('coppa'), t.Literal('third_party_ai')])

export const ConsentPolicy = t.Object({
	version: t.String(),
	texts: t.Object({ coppa: t.String(), third_party_ai: t.String() }),
	methods: t.Array(t.String(), { description: 'methods this gateway can carry out' }),
	third_party_ai_required: t.Boolean({ description: 'true when this gateway answers with a remote AI service' }),
	training: t.Literal(false, { description: 'no consent for training exists: children’s data is never used to train models' }),
})

export const ConsentRequestBody = t.Object({
	policy_version: t.String({ description: 'the version of the text the parent was shown (GET /api/v1/consent/policy)' }),
	method: t.Union([t.Literal('email_plus'), t.Literal('card_check'), t.Literal('signed_form')], {
		description: 'email_plus: the account’s verified address plus a confirmation link mailed to it',
	}),
	third_party_ai: t.Boolean({ description: 'also consent to sending the child’s words to the AI service' }),
})

export const ConsentRecord = t.Object({
	id: t.String(),
	kind: Kind,
	method: t.String(),
	policy_version: t.String(),
	parent_id: t.Union([t.String(), t.Null()]),
	parent_email: t.String(),
	client_ip: t.Union([t.String(), t.Null()]),
	requested_at: t.String({ format: 'date-time' }),
	confirmed_at: t.Union([t.String({ format: 'date-time' }), t.Null()]),
	withdrawn_at: t.Union([t.String({ format: 'date-time' }), t.Null()]),
})

export const ConsentStatus = t.Object({
	child_id: t.String(),
	coppa: t.Boolean({ description: 'the toy may talk with this child' }),
	third_party_ai: t.Boolean(),
	third_party_ai_required: t.Boolean(),
	policy_version: t.String(),
	history: t.Array(ConsentRecord),
})

export const ConsentWithdrawQuery = t.Object({
	kind: t.Optional(
		t.Union([t.Literal('all'), t.Literal('third_party_ai')], {
			description: 'all (default): the toy stops talking with the child; third_party_ai: only the AI-service consent',
		}),
	),
})

export const ConsentPending = t.Object({ status: t.Literal('pending'), message: t.String() })
export const Withdrawn = t.Object({ withdrawn: t.Integer(), disconnected: t.Integer({ description: 'live toys closed with 4403' }) })

export type NewChildRequest = Static<typeof NewChildBody>
export type ChildPatchRequest = Static<typeof ChildPatchBody>
export type ChildBody = Static<typeof Child>
export type ConsentRecordBody = Static<typeof ConsentRecord>
