import type { ErrorEvent } from '@sentry/bun'

// Optional error tracking (SENTRY_DSN; off unless set). Only errors go out — the gateway's
// error-level log lines and uncaught exceptions — never requests, breadcrumbs, users or log
// fields, and what an error message could carry of a child or a credential is masked first.
// The SDK is loaded only when a DSN is set, so the default path pays nothing for it.

export interface ErrorTracker {
	report(err: unknown, context: { cid?: string; msg?: string }): void
	flush(timeoutMs: number): Promise<void>
}

const MASKS: Array<[RegExp, string]> = [
	[/v2\.\d+\.[0-9a-f]+\.[0-9a-f]+/gi, '[token]'],
	[/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[jwt]'],
	[/\b[0-9a-f]{32,}\b/gi, '[hex]'],
	[/[^\s@"'<>]+@[^\s@"'<>]+\.[a-z]{2,}/gi, '[email]'],
	[/(postgres(ql)?|rediss?|smtps?):\/\/[^\s"']+/gi, '$1://[url]'],
	[/([?&](token|child_name|child_id|device_id)=)[^&\s"']*/gi, '$1[redacted]'],
]

export function mask(text: string): string {
	let out = text
	for (const [re, by] of MASKS) out = out.replace(re, by)
	return out
}

/** What leaves the process: the exception (type, masked message, stack frames) and the correlation id. */
export function scrubEvent(event: ErrorEvent): ErrorEvent {
	delete event.request
	delete event.user
	delete event.breadcrumbs
	delete event.extra
	delete event.server_name
	if (event.contexts) event.contexts = { runtime: event.contexts.runtime, os: event.contexts.os }
	if (event.message) event.message = mask(event.message)
	for (const ex of event.exception?.values ?? []) {
		if (ex.value) ex.value = mask(ex.value)
		for (const frame of ex.stacktrace?.frames ?? []) {
			// ? Source lines and locals can hold a child's words; file, function and line are enough.
			delete frame.vars
			delete frame.pre_context
			delete frame.context_line
			delete frame.post_context
		}
	}
	return event
}

export async function startErrorTracking(opts: { dsn: string; environment: string; release: string }): Promise<ErrorTracker> {
	const Sentry = await import('@sentry/bun')
	Sentry.initWithoutDefaultIntegrations({
		dsn: opts.dsn,
		environment: opts.environment,
		release: `teddy-gateway@${opts.release}`,
		tracesSampleRate: 0,
		integrations: [Sentry.onUncaughtExceptionIntegration(), Sentry.onUnhandledRejectionIntegration({ mode: 'warn' }), Sentry.linkedErrorsIntegration()],
		beforeSend: scrubEvent,
		beforeBreadcrumb: () => null,
	})
	return {
		report(err, context) {
			const error = err instanceof Error ? err : new Error(context.msg ?? 'error logged without an Error')
			Sentry.withScope((scope) => {
				if (context.cid) scope.setTag('cid', context.cid)
				if (context.msg) scope.setTag('log', mask(context.msg).slice(0, 200))
				Sentry.captureException(error)
			})
		},
		async flush(timeoutMs) {
			await Sentry.flush(timeoutMs)
		},
	}
}
