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

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
	return pino({ level, redact, base: { service: 'teddy-gateway' } })
}

export const log: Logger = createLogger()

export type { Logger }
