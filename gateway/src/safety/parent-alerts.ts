// Raises a parent alert for a crisis turn: the row first (it is the record, and it must exist even
// when email is not configured or fails), then an email in the background. The email says that
// something needs a parent's attention and where to read it; the child's words stay in the
// encrypted row, not in an inbox.

import { log } from '../obs/logger'
import type { AlertRepository, CrisisKind, NewAlert } from '../store/safety'
import type { Mailer } from './mailer'

export interface RaisedAlert {
	id: string
	/** Settles when the email was sent, failed or was not attempted; never rejects. */
	delivered: Promise<'sent' | 'failed' | 'not-sent'>
}

const what: Record<CrisisKind, string> = {
	self_harm: 'something that may mean they are thinking about hurting themselves',
	abuse: 'something that may mean someone is hurting them',
	danger: 'something that may mean they are in danger',
}

export class ParentAlerts {
	private readonly pending = new Set<Promise<unknown>>()

	constructor(
		private readonly alerts: AlertRepository,
		private readonly mailer: Mailer | undefined,
		/** Operator address copied on alerts of children with no parent email (SAFETY_ALERT_EMAIL). */
		private readonly fallbackTo?: string,
		/** The parent app (PUBLIC_APP_URL): the mail links to the alert there. */
		private readonly appUrl?: string,
	) {}

	async raise(alert: NewAlert, parentEmail: string | null, childName: string): Promise<RaisedAlert> {
		const id = await this.alerts.create(alert)
		log.warn({ alertId: id, kind: alert.kind, source: alert.source, language: alert.language }, 'parent alert raised')
		const to = parentEmail ?? this.fallbackTo
		if (!this.mailer || !to) return { id, delivered: Promise.resolve('not-sent') }
		const delivered = this.email(id, to, alert.kind, childName)
		this.pending.add(delivered)
		void delivered.finally(() => this.pending.delete(delivered))
		return { id, delivered }
	}

	/** Waits for emails in flight (shutdown, tests). */
	async idle(): Promise<void> {
		await Promise.allSettled([...this.pending])
	}

	private async email(id: string, to: string, kind: CrisisKind, childName: string): Promise<'sent' | 'failed'> {
		const name = childName || 'Your child'
		try {
			await this.mailer!.send({
				to,
				subject: `Teddy: ${name} may need you`,
				text: [
					`${name} told Teddy ${what[kind]}.`,
					'Teddy answered kindly and asked them to talk to a trusted grown-up, like you.',
					this.appUrl
						? `Please check on them. You can read exactly what was said in the Teddy app: ${this.appUrl}/alerts/${id}`
						: `Please check on them. You can read exactly what was said in the Teddy app (alert ${id}).`,
					'If anyone is in immediate danger, call your local emergency number.',
				].join('\n\n'),
			})
			await this.alerts.markEmailed(id)
			return 'sent'
		} catch (err) {
			const message = (err as Error).message
			log.error({ alertId: id, err: message }, 'parent alert email failed')
			await this.alerts.markEmailFailed(id, message).catch(() => {})
			return 'failed'
		}
	}
}
