import { GatewayError } from '../../errors'
import type { DeviceControl, LiveConnection } from '../../session/device-control'
import type { DeviceRepository } from '../../store'
import type { AuditRepository } from '../../store/audit'
import type { FamilyAlert, FamilyAlertRepository } from '../../store/family-alerts'
import type { EpisodeFields, ProgrammeAdminRepository, SeasonFields, SeasonRow, Written } from '../../store/programme-admin'
import { audit } from '../access/audit'
import type { Principal } from '../access/service'

// What operators do: edit the learning programme, see and act on live toys, and review a crisis
// alert when they must. Every action is audited; anything that opens a child's words needs a reason.

export interface OperatorDeps {
	programme: ProgrammeAdminRepository
	devices: DeviceRepository
	alerts: FamilyAlertRepository
	control: DeviceControl
	audit: AuditRepository
}

function unwrap<T>(w: Written<T>, what: string): T {
	if (w.ok) return w.row
	switch (w.reason) {
		case 'not_found':
			throw new GatewayError('NOT_FOUND', `no such ${what}`)
		case 'no_season':
			throw new GatewayError('NOT_FOUND', 'no such season')
		case 'position_taken':
			throw new GatewayError('CONFLICT', 'that position is taken; move the other one first')
		case 'in_use':
			throw new GatewayError('CONFLICT', `children are on this ${what}; it cannot be deleted while they are`)
	}
}

/** Prompt text stays one plain line: it is appended to the system prompt. */
function line(text: string | undefined): string | undefined {
	if (text === undefined) return undefined
	const one = text.replace(/\s+/g, ' ').trim()
	if (!one || /[\p{Cc}<>{}]/u.test(one)) throw new GatewayError('BAD_REQUEST', 'titles and lesson goals are plain text on one line')
	return one
}

export class OperatorService {
	constructor(private readonly d: OperatorDeps) {}

	programme(): Promise<SeasonRow[]> {
		return this.d.programme.list()
	}

	async createSeason(op: Principal, f: SeasonFields): Promise<SeasonRow> {
		if (f.minAge > f.maxAge) throw new GatewayError('BAD_REQUEST', 'min_age is above max_age')
		const s = unwrap(await this.d.programme.createSeason({ ...f, title: line(f.title)! }), 'season')
		await this.note(op, 'operator.programme.season.create', String(s.id))
		return s
	}

	async updateSeason(op: Principal, id: number, f: Partial<SeasonFields>): Promise<SeasonRow> {
		const current = (await this.d.programme.list()).find((s) => s.id === id)
		if (!current) throw new GatewayError('NOT_FOUND', 'no such season')
		if ((f.minAge ?? current.minAge) > (f.maxAge ?? current.maxAge)) throw new GatewayError('BAD_REQUEST', 'min_age is above max_age')
		const s = unwrap(await this.d.programme.updateSeason(id, { ...f, title: line(f.title) }), 'season')
		await this.note(op, 'operator.programme.season.update', String(id))
		return s
	}

	async deleteSeason(op: Principal, id: number): Promise<void> {
		unwrap(await this.d.programme.deleteSeason(id), 'season')
		await this.note(op, 'operator.programme.season.delete', String(id))
	}

	async createEpisode(op: Principal, f: EpisodeFields): Promise<EpisodeFields & { id: number }> {
		const e = unwrap(await this.d.programme.createEpisode({ ...f, title: line(f.title)!, lessonGoal: line(f.lessonGoal)! }), 'episode')
		await this.note(op, 'operator.programme.episode.create', String(e.id))
		return e
	}

	async updateEpisode(op: Principal, id: number, f: Partial<Omit<EpisodeFields, 'seasonId'>>) {
		const e = unwrap(await this.d.programme.updateEpisode(id, { ...f, title: line(f.title), lessonGoal: line(f.lessonGoal) }), 'episode')
		await this.note(op, 'operator.programme.episode.update', String(id))
		return e
	}

	async deleteEpisode(op: Principal, id: number): Promise<void> {
		unwrap(await this.d.programme.deleteEpisode(id), 'episode')
		await this.note(op, 'operator.programme.episode.delete', String(id))
	}

	connections(): LiveConnection[] {
		return this.d.control.connections()
	}

	/** Ends a toy's connection; it may reconnect (1012). */
	async disconnect(op: Principal, deviceId: string, reason: string): Promise<boolean> {
		if (!(await this.d.devices.get(deviceId))) throw new GatewayError('NOT_FOUND', 'no such toy')
		await this.note(op, 'operator.device.disconnect', deviceId, reason)
		return await this.d.control.disconnect(deviceId, 'RESTARTING', 'disconnected by an operator; reconnect')
	}

	/** Revokes a toy for good: its tokens stop working, it is unpaired and closed with 4403. */
	async revoke(op: Principal, deviceId: string, reason: string): Promise<boolean> {
		if (!(await this.d.devices.get(deviceId))) throw new GatewayError('NOT_FOUND', 'no such toy')
		await this.d.devices.revoke(deviceId)
		await this.note(op, 'operator.device.revoke', deviceId, reason)
		return await this.d.control.disconnect(deviceId, 'FORBIDDEN', 'this toy has been revoked')
	}

	/** A crisis alert opened for review: the one way an operator reads a child's words, audited with the reason. */
	async reviewAlert(op: Principal, alertId: string, reason: string): Promise<FamilyAlert> {
		const alert = await this.d.alerts.getAny(alertId)
		if (!alert) throw new GatewayError('NOT_FOUND', 'no such alert')
		await audit(this.d.audit, op, 'operator.alert.review', { familyId: alert.familyId, childId: alert.childId, targetId: alertId, reason })
		return alert
	}

	private note(op: Principal, action: string, target: string, reason?: string): Promise<void> {
		return audit(this.d.audit, op, action, { familyId: null, targetId: target, reason })
	}
}
