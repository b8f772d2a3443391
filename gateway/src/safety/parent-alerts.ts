// Raises a parent alert: for a crisis turn, and for a check-in as the family's toy that could not
// prove it was the toy. The row is the record, and it must exist even when email is not configured
// or fails; a crisis row is queued through the write backlog, so a database outage delays it but
// never loses it, and its email goes out without waiting for the database. The email says that
// something needs a parent's attention and where to read it; the child's words stay in the
// encrypted row, not in an inbox.

import { log } from '../obs/logger'
import type { AlertRepository, CrisisKind, NewAlert } from '../store/safety'
import type { WriteBacklog } from '../store/write-backlog'
import type { Mailer } from './mailer'

export interface RaisedAlert {
	id: string
	/** Settles when the email was sent, failed or was not attempted; never rejects. */
	delivered: Promise<'sent' | 'failed' | 'not-sent'>
}

/** Whose toy a device-security alert is about. */
export interface ToyOwner {
	deviceId: string
	familyId: string | null
	childId: string | null
}

const what: Record<CrisisKind, string> = {
	self_harm: 'something that may mean they are thinking about hurting themselves',
	abuse: 'something that may mean someone is hurting them',
	danger: 'something that may mean they are in danger',
}

// Someone probing a toy sends many requests; one alert an hour per toy is enough to act on.
const DEVICE_ALERT_WINDOW_SECONDS = 3600

interface Mail {
	subject: string
	text: string
}

export class ParentAlerts {
	private readonly pending = new Set<Promise<unknown>>()

	constructor(
		private readonly alerts: AlertRepository,
		private readonly writes: WriteBacklog,
		private readonly mailer: Mailer | undefined,
		/** Operator address copied on alerts of children with no parent email (SAFETY_ALERT_EMAIL). */
		private readonly fallbackTo?: string,
		/** The parent app (PUBLIC_APP_URL): the mail links to the alert there. */
		private readonly appUrl?: string,
	) {}

	raise(alert: NewAlert & { kind: CrisisKind }, parentEmail: string | null, childName: string): RaisedAlert {
		const id = crypto.randomUUID()
		this.writes.submit(`alert:${id}`, 'parent alert', () => this.alerts.create(alert, id))
		log.warn({ alertId: id, kind: alert.kind, source: alert.source, language: alert.language }, 'parent alert raised')
		const name = childName || 'Your child'
		return {
			id,
			delivered: this.send(id, parentEmail, {
				subject: `Teddy: ${name} may need you`,
				text: [
					`${name} told Teddy ${what[alert.kind]}.`,
					'Teddy answered kindly and asked them to talk to a trusted grown-up, like you.',
					this.appUrl
						? `Please check on them. You can read exactly what was said in the Teddy app: ${this.appUrl}/alerts/${id}`
						: `Please check on them. You can read exactly what was said in the Teddy app (alert ${id}).`,
					'If anyone is in immediate danger, call your local emergency number.',
				].join('\n\n'),
			}),
		}
	}

	/**
	 * A check-in or activation claimed to be this toy but could not prove it (another Client-Id).
	 * At most one alert per toy per hour; null when an earlier one covers this attempt.
	 */
	async raiseDeviceSecurity(toy: ToyOwner, parentEmail: string | null): Promise<RaisedAlert | null> {
		const excerpt = `Something that is not your Teddy toy (${toy.deviceId}) tried to connect as it. It was refused and was given nothing.`
		const id = await this.alerts.createUnlessRecent(
			{ ...toy, kind: 'device_security', source: 'device', language: 'en', excerpt },
			DEVICE_ALERT_WINDOW_SECONDS,
		)
		if (!id) return null
		log.warn({ alertId: id, kind: 'device_security', device: toy.deviceId }, 'parent alert raised')
		return {
			id,
			delivered: this.send(id, parentEmail, {
				subject: 'Teddy: something tried to connect as your toy',
				text: [
					excerpt,
					'Your toy is fine and keeps working. Nobody got access to it or to your child’s conversations.',
					'If you did not reset the toy, nothing else needs doing. If you reset it (a factory reset or a ' +
						'new firmware), it needs to be linked again: contact Teddy support with the toy id above (alert ' + id + ').',
				].join('\n\n'),
			}),
		}
	}

	/** Waits for emails in flight (shutdown, tests). */
	async idle(): Promise<void> {
		await Promise.allSettled([...this.pending])
	}

	private send(id: string, parentEmail: string | null, mail: Mail): Promise<'sent' | 'failed' | 'not-sent'> {
		const to = parentEmail ?? this.fallbackTo
		if (!this.mailer || !to) return Promise.resolve('not-sent')
		const delivered = this.email(id, to, mail)
		this.pending.add(delivered)
		void delivered.finally(() => this.pending.delete(delivered))
		return delivered
	}

	private async email(id: string, to: string, mail: Mail): Promise<'sent' | 'failed'> {
		try {
			await this.mailer!.send({ to, ...mail })
			this.writes.submit(`alert:${id}`, 'parent alert emailed', () => this.alerts.markEmailed(id))
			return 'sent'
		} catch (err) {
			const message = (err as Error).message
			log.error({ alertId: id, err: message }, 'parent alert email failed')
			this.writes.submit(`alert:${id}`, 'parent alert email failed', () => this.alerts.markEmailFailed(id, message))
			return 'failed'
		}
	}
}
