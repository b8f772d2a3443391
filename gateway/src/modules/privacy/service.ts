import type { Passwords } from '../../auth/passwords'
import { GatewayError } from '../../errors'
import type { Logger } from '../../obs/logger'
import type { ChildCaches } from '../../session/child-caches'
import type { DeviceControl } from '../../session/device-control'
import type { AccountRepository } from '../../store/accounts'
import type { AuditEntry, AuditRepository } from '../../store/audit'
import type { ErasureRepository } from '../../store/erasure'
import { EXPORT_FORMAT, type ExportRepository, type ExportTables } from '../../store/export'
import type { FamilyChildRepository } from '../../store/family-children'
import type { FamilyDeviceRepository } from '../../store/family-devices'
import type { LockoutCounter } from '../../store/lockout'
import { audit } from '../access/audit'
import type { ParentPrincipal } from '../access/service'

// A parent's rights over their family's data: export all of it, delete a conversation, a child or
// the whole account. Deletion reaches every table (store/erasure.ts), closes the child's live toys
// (their sessions hold recent words in memory), and drops what the running gateway cached.

export interface PrivacyDeps {
	erasure: ErasureRepository
	exporter: ExportRepository
	accounts: AccountRepository
	children: FamilyChildRepository
	devices: FamilyDeviceRepository
	passwords: Passwords
	control: DeviceControl
	caches: ChildCaches
	audit: AuditRepository
	lockout: LockoutCounter
	emailIndex: (email: string) => Uint8Array
	log: Logger
}

export interface ExportDoc {
	format: typeof EXPORT_FORMAT
	scope: 'child' | 'family'
	exported_at: string
	tables: ExportTables
}

const DELETED_MESSAGE = 'this child’s data was deleted by a parent'

export class PrivacyService {
	constructor(private readonly d: PrivacyDeps) {}

	async exportChild(p: ParentPrincipal, childId: string): Promise<ExportDoc> {
		if (!(await this.d.children.owns(p.familyId, childId))) throw new GatewayError('NOT_FOUND', 'no such child in your family')
		await audit(this.d.audit, p, 'export.child', { childId })
		const tables = await this.d.exporter.child(p.familyId, childId)
		if (!tables) throw new GatewayError('NOT_FOUND', 'no such child in your family')
		return { format: EXPORT_FORMAT, scope: 'child', exported_at: new Date().toISOString(), tables }
	}

	async exportFamily(p: ParentPrincipal): Promise<ExportDoc> {
		await audit(this.d.audit, p, 'export.family')
		const tables = await this.d.exporter.family(p.familyId, this.d.audit.refOf(p.familyId))
		return { format: EXPORT_FORMAT, scope: 'family', exported_at: new Date().toISOString(), tables }
	}

	async deleteConversation(p: ParentPrincipal, conversationId: string): Promise<void> {
		const gone = await this.d.erasure.conversation(p.familyId, conversationId)
		if (!gone) throw new GatewayError('NOT_FOUND', 'no such conversation in your family')
		// the toy's memory of the child went with it (it may quote the conversation)
		this.d.caches.forget(gone.childId, [gone.deviceId])
		await audit(this.d.audit, p, 'conversation.delete', { childId: gone.childId, targetId: conversationId })
	}

	async deleteChild(p: ParentPrincipal, childId: string): Promise<{ disconnected: number }> {
		if (!(await this.d.children.owns(p.familyId, childId))) throw new GatewayError('NOT_FOUND', 'no such child in your family')
		// ! Toys first: a live session keeps the child's recent words in memory and would write more.
		const disconnected = await this.disconnect(await this.d.devices.ofChild(childId))
		const gone = await this.d.erasure.child(p.familyId, childId)
		if (!gone) throw new GatewayError('NOT_FOUND', 'no such child in your family')
		this.d.caches.forget(childId, gone.deviceIds)
		await audit(this.d.audit, p, 'child.delete', { childId })
		return { disconnected }
	}

	async deleteAccount(p: ParentPrincipal, password: string): Promise<{ disconnected: number }> {
		const account = await this.d.accounts.get(p.parentId)
		if (!account || !(await this.d.passwords.verify(password, account.passwordHash))) {
			throw new GatewayError('UNAUTHORIZED', 'wrong password')
		}
		let disconnected = 0
		if ((await this.d.accounts.countInFamily(p.familyId)) > 1) {
			await this.d.erasure.parent(p.parentId)
		} else {
			disconnected = await this.disconnect((await this.d.devices.ofFamily(p.familyId)).map((d) => d.deviceId))
			const gone = await this.d.erasure.family(p.familyId)
			for (const childId of gone.childIds) this.d.caches.forget(childId, gone.deviceIds)
		}
		// counters keyed by this account (mail throttling, sign-in failures) go too
		await this.d.lockout.clear(`mail:${p.parentId}`)
		await this.d.lockout.clear(`acct:${Buffer.from(this.d.emailIndex(account.email)).toString('hex')}`)
		await audit(this.d.audit, p, 'account.delete')
		return { disconnected }
	}

	async auditLog(p: ParentPrincipal, limit: number, before?: Date): Promise<AuditEntry[]> {
		return this.d.audit.forFamily(p.familyId, p.parentId, limit, before)
	}

	private async disconnect(deviceIds: string[]): Promise<number> {
		const closed = await Promise.all(deviceIds.map((id) => this.d.control.disconnect(id, 'FORBIDDEN', DELETED_MESSAGE)))
		return closed.filter(Boolean).length
	}
}
