import type { TSchema } from '@sinclair/typebox'
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler'
import { GatewayError } from '../errors'

// Shared by both protocol families: text → typed message, or the typed error PROTOCOL.md §5 names.

export function parseTyped<M>(data: string, checkers: Record<string, TypeCheck<TSchema>>): M {
	let value: unknown
	try {
		value = JSON.parse(data)
	} catch {
		throw new GatewayError('INVALID_JSON', 'message is not valid JSON')
	}
	if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') {
		throw new GatewayError('INVALID_MESSAGE', 'message must be a JSON object with a string "type"')
	}
	const type = (value as { type: string }).type
	const checker = Object.hasOwn(checkers, type) ? checkers[type] : undefined
	if (!checker) throw new GatewayError('UNKNOWN_TYPE', `unknown message type "${type.slice(0, 40)}"`)
	if (!checker.Check(value)) {
		const first = checker.Errors(value).First()
		throw new GatewayError('INVALID_MESSAGE', `${type}: ${first?.path || '/'} ${first?.message ?? 'is invalid'}`)
	}
	return value as M
}

/** One compiled checker per message type, built once at load. */
export function compileCheckers<S extends Record<string, TSchema>>(schemas: S): { [K in keyof S]: TypeCheck<S[K]> } {
	return Object.fromEntries(Object.entries(schemas).map(([type, schema]) => [type, TypeCompiler.Compile(schema)])) as {
		[K in keyof S]: TypeCheck<S[K]>
	}
}
