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

export function createLogger(level = 'info'): Logger {
	return pino({ level, redact, base: { service: 'teddy-gateway' } })
}

// ? Modules below the composition root log through this one; main.ts sets its level from config
// (LOG_LEVEL) before anything is built, so it is the only logger a running gateway has.
export const log: Logger = createLogger()

export type { Logger }
