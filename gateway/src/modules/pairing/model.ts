import { type Static, t } from 'elysia'

const Code = t.String({ pattern: '^[0-9]{6}$', description: 'the six digits the toy spoke', examples: ['042917'] })
const ChildId = t.String({
	pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
	description: 'id of the child profile the toy is bound to',
})

export const PairStarted = t.Object({
	code: t.String({ description: 'six digits for the toy to speak aloud' }),
	expires_in: t.Integer({ description: 'seconds the code stays valid' }),
})

export const ClaimBody = t.Union([
	t.Object({ code: Code, child_id: ChildId }),
	t.Object({
		device_id: t.String({ pattern: '^[A-Za-z0-9:_.-]{1,64}$' }),
		oob_code: t.String({ ...Code, description: 'the toy’s code, given out of band (spoken, printed or shown)' }),
		child_id: ChildId,
	}),
])

export const Claimed = t.Object({
	device_id: t.String(),
	child_id: t.String(),
	paired: t.Literal(true),
})

export const ErrorBody = t.Object({ code: t.String(), message: t.String() })

export type ClaimRequest = Static<typeof ClaimBody>
export type ClaimedBody = Static<typeof Claimed>
