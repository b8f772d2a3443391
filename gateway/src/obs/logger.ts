import pino, { type Logger } from 'pino'

// Children's names, tokens and transcripts never reach the logs: these paths are censored
// wherever they appear in a log object.
const redact = {
	paths: [
		'token',
		'*.token',
		'child_name',
		'*.child_name',
		'childName',
		'*.childName',
		'text',
		'*.text',
		'transcript',
		'*.transcript',
		'authorization',
		'*.authorization',
		'req.headers.authorization',
		'secret',
		'*.secret',
		'email',
		'*.email',
	],
	censor: '[redacted]',
}

/** Receives error and fatal lines (their `err`, correlation id and message) for error tracking. */
export type ErrorSink = (err: unknown, context: { cid?: string; msg?: string }) => void

const ERROR_LEVEL = 50

export function createLogger(level = 'info', onError?: ErrorSink): Logger {
	const hooks = onError
		? {
				logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void, lvl: number) {
					if (lvl >= ERROR_LEVEL) {
						const [obj, msg] = args as [unknown, unknown]
						const fields = (typeof obj === 'object' && obj !== null ? obj : {}) as { err?: unknown; cid?: string }
						onError(obj instanceof Error ? obj : fields.err, { cid: fields.cid, msg: typeof msg === 'string' ? msg : typeof obj === 'string' ? obj : undefined })
					}
					method.apply(this, args)
				},
			}
		: undefined
	// ! pino takes `hooks: undefined` as "no hooks object" and fails: pass the key only when set.
	return pino({ level, redact, base: { service: 'teddy-gateway' }, ...(hooks ? { hooks } : {}) })
}

// ? Modules below the composition root log through this one; main.ts sets its level from config
// (LOG_LEVEL) before anything is built, so it is the only logger a running gateway has.
export const log: Logger = createLogger()

export type { Logger }
