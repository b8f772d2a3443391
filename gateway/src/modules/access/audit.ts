import type { AuditRecord, AuditRepository } from '../../store/audit'
import type { Principal } from './service'

// Every read or change of a child's data by a parent or an operator leaves an audit entry. It is
// written before the data is returned: if the entry cannot be written, the data is not served.

export type AuditIds = Pick<AuditRecord, 'familyId' | 'childId' | 'targetId' | 'reason'>

export function audit(repo: AuditRepository, who: Principal, action: string, ids: AuditIds = {}): Promise<void> {
	return repo.record({
		actor: { role: who.role, id: who.parentId },
		action,
		familyId: ids.familyId ?? who.familyId,
		childId: ids.childId,
		targetId: ids.targetId,
		reason: ids.reason,
	})
}
