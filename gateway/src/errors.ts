// Errors are values with a stable upper-case code. The same codes go out in REST bodies
// ({code, message}) and in the WebSocket `error` message, and each maps to a close code.

export type ErrorCode =
	| 'BAD_REQUEST'
	| 'INVALID_JSON'
	| 'UNKNOWN_TYPE'
	| 'INVALID_MESSAGE'
	| 'INVALID_AUDIO'
	| 'INVALID_AGE'
	| 'UNAUTHORIZED'
	| 'FORBIDDEN'
	| 'NOT_FOUND'
	| 'HELLO_TIMEOUT'
	| 'IDLE_TIMEOUT'
	| 'REPLACED'
	| 'FRAME_TOO_LARGE'
	| 'PAYLOAD_TOO_LARGE'
	| 'LENGTH_REQUIRED'
	| 'RATE_LIMITED'
	| 'INTERNAL'
	| 'UNAVAILABLE'
	| 'RESTARTING'
	| 'PAIRING_CODE_INVALID'
	| 'PAIRING_CODE_EXPIRED'
	// parent accounts, consent (modules/accounts, modules/children)
	| 'CONFLICT'
	| 'EMAIL_NOT_VERIFIED'
	| 'CONSENT_REQUIRED'
	| 'CSRF_FAILED'
	| 'ACCOUNT_LOCKED'
	| 'LINK_INVALID'

export const CLOSE = {
	normal: 1000,
	internal: 1011,
	restarting: 1012,
	protocol: 4400,
	unauthorized: 4401,
	forbidden: 4403,
	timeout: 4408,
	replaced: 4409,
	tooLarge: 4413,
	rateLimited: 4429,
} as const

const closeByCode: Record<ErrorCode, number> = {
	BAD_REQUEST: CLOSE.protocol,
	INVALID_JSON: CLOSE.protocol,
	UNKNOWN_TYPE: CLOSE.protocol,
	INVALID_MESSAGE: CLOSE.protocol,
	INVALID_AUDIO: CLOSE.protocol,
	INVALID_AGE: CLOSE.protocol,
	UNAUTHORIZED: CLOSE.unauthorized,
	FORBIDDEN: CLOSE.forbidden,
	NOT_FOUND: CLOSE.protocol,
	HELLO_TIMEOUT: CLOSE.timeout,
	IDLE_TIMEOUT: CLOSE.timeout,
	REPLACED: CLOSE.replaced,
	FRAME_TOO_LARGE: CLOSE.tooLarge,
	PAYLOAD_TOO_LARGE: CLOSE.tooLarge,
	LENGTH_REQUIRED: CLOSE.protocol,
	RATE_LIMITED: CLOSE.rateLimited,
	INTERNAL: CLOSE.internal,
	// ? A dependency (Redis) is down: 1011 with the correlation id, and the toy's usual backoff
	UNAVAILABLE: CLOSE.internal,
	RESTARTING: CLOSE.restarting,
	PAIRING_CODE_INVALID: CLOSE.protocol,
	PAIRING_CODE_EXPIRED: CLOSE.protocol,
	CONFLICT: CLOSE.protocol,
	EMAIL_NOT_VERIFIED: CLOSE.forbidden,
	CONSENT_REQUIRED: CLOSE.forbidden,
	CSRF_FAILED: CLOSE.forbidden,
	ACCOUNT_LOCKED: CLOSE.rateLimited,
	LINK_INVALID: CLOSE.protocol,
}

const statusByCode: Record<ErrorCode, number> = {
	BAD_REQUEST: 400,
	INVALID_JSON: 400,
	UNKNOWN_TYPE: 400,
	INVALID_MESSAGE: 400,
	INVALID_AUDIO: 400,
	INVALID_AGE: 400,
	UNAUTHORIZED: 401,
	FORBIDDEN: 403,
	NOT_FOUND: 404,
	HELLO_TIMEOUT: 408,
	IDLE_TIMEOUT: 408,
	REPLACED: 409,
	FRAME_TOO_LARGE: 413,
	PAYLOAD_TOO_LARGE: 413,
	LENGTH_REQUIRED: 411,
	RATE_LIMITED: 429,
	INTERNAL: 500,
	UNAVAILABLE: 503,
	RESTARTING: 503,
	PAIRING_CODE_INVALID: 400,
	// ? 410 Gone: the code existed and will never work again; the toy must start pairing anew
	PAIRING_CODE_EXPIRED: 410,
	CONFLICT: 409,
	EMAIL_NOT_VERIFIED: 403,
	CONSENT_REQUIRED: 403,
	CSRF_FAILED: 403,
	ACCOUNT_LOCKED: 429,
	// a mailed link that is unknown, used or expired: ask for a new one
	LINK_INVALID: 400,
}

export interface GatewayErrorOptions {
	/** When the client may try again: REST sends it as `Retry-After` (429, 503). */
	retryAfterSeconds?: number
}

export class GatewayError extends Error {
	readonly retryAfterSeconds?: number

	constructor(
		readonly code: ErrorCode,
		message: string,
		opts: GatewayErrorOptions = {},
	) {
		super(message)
		this.name = 'GatewayError'
		if (opts.retryAfterSeconds !== undefined) this.retryAfterSeconds = Math.max(1, Math.ceil(opts.retryAfterSeconds))
	}
	get status(): number {
		return statusByCode[this.code]
	}
	get closeCode(): number {
		return closeByCode[this.code]
	}
	toJSON(): { code: ErrorCode; message: string } {
		return { code: this.code, message: this.message }
	}
}
