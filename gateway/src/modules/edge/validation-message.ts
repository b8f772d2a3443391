import { type ValueError, ValueErrorType as E } from '@sinclair/typebox/errors'

// A schema validation failure in words: which field and what is wrong with it
// ("body.code: has the wrong format (the six digits the toy spoke)"). Elysia's own message is the
// whole schema as JSON; that tells a client nothing it can act on and everything about our
// internals, so it never leaves the gateway.

const MAX_PROBLEMS = 3

/** `where`: body, query, headers or params; `errors`: Elysia's `ValidationError.all`. */
export function validationMessage(where: string, errors: readonly ValueError[]): string {
	// one problem per field: a missing field is not also "not a string"
	const byField = new Map<string, string>()
	for (const e of errors.flatMap(leaves)) {
		const field = `${where}${e.path.replaceAll('/', '.')}`
		if (!byField.has(field)) byField.set(field, `${field}: ${problem(e)}`)
		if (byField.size === MAX_PROBLEMS) break
	}
	return byField.size > 0 ? [...byField.values()].join('; ') : `${where}: invalid`
}

// A union (`{code, child_id}` or `{device_id, oob_code, child_id}`) fails as a whole; report the
// branch the client most likely meant: the one with the fewest missing fields, then fewest errors.
function leaves(e: ValueError): ValueError[] {
	if (e.type !== E.Union || !e.errors?.length) return [e]
	let best: ValueError[] | undefined
	let bestScore = Number.POSITIVE_INFINITY
	for (const branch of e.errors) {
		const errs = [...branch]
		const missing = errs.filter((x) => x.type === E.ObjectRequiredProperty).length
		const score = missing * 1000 + errs.length
		if (score < bestScore) {
			best = errs
			bestScore = score
		}
	}
	return best && best.length > 0 ? best.flatMap(leaves) : [e]
}

function problem(e: ValueError): string {
	const s = e.schema as Record<string, unknown>
	const about = typeof s.description === 'string' ? ` (${s.description})` : ''
	switch (e.type) {
		case E.ObjectRequiredProperty:
			return 'is required'
		case E.ObjectAdditionalProperties:
			return 'is not allowed here'
		case E.StringPattern:
		case E.StringFormat:
			return `has the wrong format${about}`
		case E.StringMinLength:
			return `must be at least ${s.minLength} characters`
		case E.StringMaxLength:
			return `must be at most ${s.maxLength} characters`
		case E.String:
			return 'must be a string'
		case E.Integer:
			return 'must be a whole number'
		case E.Number:
			return 'must be a number'
		case E.Boolean:
			return 'must be true or false'
		case E.Object:
			return 'must be an object'
		case E.Array:
			return 'must be a list'
		case E.Literal:
			return `must be ${JSON.stringify(s.const)}`
		case E.NumberMinimum:
		case E.IntegerMinimum:
			return `must be at least ${s.minimum}`
		case E.NumberMaximum:
		case E.IntegerMaximum:
			return `must be at most ${s.maximum}`
		case E.Union:
			return 'is none of the accepted forms'
		default:
			return 'is not valid'
	}
}
