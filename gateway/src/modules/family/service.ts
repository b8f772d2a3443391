import { GatewayError } from '../../errors'
import { type Policy, parseQuietHours, policyFor, type SafetyDefaults } from '../../safety/policy'
import type { FamilyRepository, FamilySettings, FamilySettingsPatch } from '../../store/families'

// A family's own settings for its toys. They are the rows safety/policy.ts reads for every turn;
// a null field means the gateway's configured default (docs/safety.md).

export interface FamilyDefaults extends SafetyDefaults {
	retentionDays: number
	allowedTools: string[]
}

export interface SettingsView {
	settings: {
		timezone: string | null
		daily_limit_minutes: number | null
		quiet_hours: string | null
		daily_token_budget: number | null
		play_reminder_minutes: number | null
		allowed_tools: string[] | null
		retention_days: number | null
	}
	effective: {
		timezone: string
		daily_limit_minutes: number
		quiet_hours: string | null
		daily_token_budget: number
		play_reminder_minutes: number
		allowed_tools: string[]
		retention_days: number
	}
}

export interface SettingsPatchRequest {
	timezone?: string | null
	daily_limit_minutes?: number | null
	quiet_hours?: string | null
	daily_token_budget?: number | null
	play_reminder_minutes?: number | null
	allowed_tools?: string[] | null
	retention_days?: number | null
}

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
const quiet = (q: Policy['quietHours']) => (q ? `${hhmm(q.startMinute)}-${hhmm(q.endMinute)}` : null)

export class FamilyService {
	constructor(
		private readonly families: FamilyRepository,
		private readonly defaults: FamilyDefaults,
		/** Called after a change so the toys' cached rules are read again before their next turn. */
		private readonly changed: (familyId: string) => void = () => {},
	) {}

	async get(familyId: string): Promise<SettingsView> {
		const f = await this.families.get(familyId)
		if (!f) throw new GatewayError('NOT_FOUND', 'no such family')
		return this.view(f)
	}

	async update(familyId: string, body: SettingsPatchRequest): Promise<SettingsView> {
		const patch: FamilySettingsPatch = {}
		if (body.timezone !== undefined) patch.timezone = body.timezone === null ? null : zone(body.timezone)
		if (body.daily_limit_minutes !== undefined) patch.dailyLimitMinutes = body.daily_limit_minutes
		if (body.quiet_hours !== undefined) {
			patch.quietHours = body.quiet_hours === null ? null : (parseQuietHours(body.quiet_hours) ?? null)
		}
		if (body.daily_token_budget !== undefined) patch.dailyTokenBudget = body.daily_token_budget
		if (body.play_reminder_minutes !== undefined) patch.playReminderMinutes = body.play_reminder_minutes
		if (body.allowed_tools !== undefined) patch.allowedTools = body.allowed_tools === null ? null : [...new Set(body.allowed_tools)]
		if (body.retention_days !== undefined) patch.retentionDays = body.retention_days
		const f = await this.families.updateSettings(familyId, patch)
		if (!f) throw new GatewayError('NOT_FOUND', 'no such family')
		this.changed(familyId)
		return this.view(f)
	}

	private view(f: FamilySettings): SettingsView {
		const policy = policyFor(f, this.defaults)
		return {
			settings: {
				timezone: f.timezone,
				daily_limit_minutes: f.dailyLimitMinutes,
				quiet_hours: quiet(f.quietHours),
				daily_token_budget: f.dailyTokenBudget,
				play_reminder_minutes: f.playReminderMinutes,
				allowed_tools: f.allowedTools ?? null,
				retention_days: f.retentionDays ?? null,
			},
			effective: {
				timezone: policy.timezone,
				daily_limit_minutes: policy.dailyLimitMinutes,
				quiet_hours: quiet(policy.quietHours),
				daily_token_budget: policy.dailyTokenBudget,
				play_reminder_minutes: policy.playReminderMinutes,
				allowed_tools: f.allowedTools ?? this.defaults.allowedTools,
				retention_days: f.retentionDays ?? this.defaults.retentionDays,
			},
		}
	}
}

function zone(z: string): string {
	try {
		new Intl.DateTimeFormat('en', { timeZone: z })
		return z
	} catch {
		throw new GatewayError('BAD_REQUEST', `timezone is not an IANA time zone: ${z.slice(0, 64)}`)
	}
}
