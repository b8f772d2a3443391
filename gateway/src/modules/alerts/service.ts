import { GatewayError } from '../../errors'
import type { AuditRepository } from '../../store/audit'
import type { FamilyAlert, FamilyAlertRepository } from '../../store/family-alerts'
import type { FamilyTranscriptRepository, MessageView } from '../../store/family-transcripts'
import { audit } from '../access/audit'
import type { ParentPrincipal } from '../access/service'

// Crisis alerts for the parents of the child who raised them: the child's words, what was said
// around them, and an acknowledgement once a parent has looked after it.

const CONTEXT_BEFORE_MS = 10 * 60_000
const CONTEXT_AFTER_MS = 2 * 60_000
const CONTEXT_MESSAGES = 12

export interface AlertsDeps {
	alerts: FamilyAlertRepository
	transcripts: FamilyTranscriptRepository
	audit: AuditRepository
}

const notFound = () => new GatewayError('NOT_FOUND', 'no such alert in your family')

export class AlertsService {
	constructor(private readonly d: AlertsDeps) {}

	async list(p: ParentPrincipal, f: { childId?: string; open?: boolean; limit: number; before?: Date }): Promise<FamilyAlert[]> {
		const alerts = await this.d.alerts.list(p.familyId, f)
		await audit(this.d.audit, p, 'alert.list', { childId: f.childId })
		return alerts
	}

	async get(p: ParentPrincipal, id: string): Promise<FamilyAlert & { context: MessageView[] }> {
		const alert = await this.d.alerts.get(p.familyId, id)
		if (!alert) throw notFound()
		await audit(this.d.audit, p, 'alert.read', { childId: alert.childId, targetId: id })
		const context = alert.childId
			? await this.d.transcripts.around(alert.childId, alert.createdAt, CONTEXT_BEFORE_MS, CONTEXT_AFTER_MS, CONTEXT_MESSAGES)
			: []
		return { ...alert, context }
	}

	async acknowledge(p: ParentPrincipal, id: string): Promise<FamilyAlert> {
		const alert = await this.d.alerts.acknowledge(p.familyId, id, p.parentId)
		if (!alert) throw notFound()
		await audit(this.d.audit, p, 'alert.acknowledge', { childId: alert.childId, targetId: id })
		return alert
	}
}
