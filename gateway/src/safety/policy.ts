// A family's rules for one turn: its own settings where a parent set them, the gateway's configured
// defaults otherwise, and the legal ceiling on the break reminder period on top of both.

import type { FamilySettings } from '../store/safety'

export interface SafetyDefaults {
	timezone: string
	/** Estimated tokens per family (or unpaired toy) per local day. */
	dailyTokenBudget: number
	/** Minutes of talk per local day; 0 = no limit. */
	dailyLimitMinutes: number
	quietHours: QuietHours | null
	playReminderMinutes: number
	/** Device tools the model may call (names, or prefixes ending in `*`); empty: none. */
	allowedTools: readonly string[]
	/** ISO country whose helpline the crisis reply names when the child's profile has none (DEFAULT_COUNTRY). */
	country?: string
}

export interface QuietHours {
	startMinute: number
	endMinute: number
}

/** California SB 243 and New York GBL Art. 47: remind a minor at least every three hours. */
export const MAX_REMINDER_MINUTES = 180

export interface Policy extends SafetyDefaults {
	familyId: string | null
	parentEmail: string | null
}

export function policyFor(family: FamilySettings | null, d: SafetyDefaults): Policy {
	return {
		familyId: family?.id ?? null,
		parentEmail: family?.parentEmail ?? null,
		timezone: family?.timezone ?? d.timezone,
		dailyTokenBudget: family?.dailyTokenBudget ?? d.dailyTokenBudget,
		dailyLimitMinutes: family?.dailyLimitMinutes ?? d.dailyLimitMinutes,
		quietHours: family?.quietHours ?? d.quietHours,
		playReminderMinutes: Math.min(MAX_REMINDER_MINUTES, Math.max(1, family?.playReminderMinutes ?? d.playReminderMinutes)),
		allowedTools: d.allowedTools,
		country: d.country,
	}
}

/** "20:00-07:00" → minutes; undefined for a malformed value (config validates it first). */
export function parseQuietHours(value: string): QuietHours | undefined {
	const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(value.trim())
	if (!m) return undefined
	return { startMinute: Number(m[1]) * 60 + Number(m[2]), endMinute: Number(m[3]) * 60 + Number(m[4]) }
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function partsIn(timezone: string, at: number): { day: string; minute: number } {
	let f = formatters.get(timezone)
	if (!f) {
		f = new Intl.DateTimeFormat('en-CA', {
			timeZone: timezone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23',
		})
		formatters.set(timezone, f)
	}
	const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]))
	return { day: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute) }
}

/** The local date (YYYY-MM-DD) in `timezone`: usage is counted per family-local day. */
export function localDay(timezone: string, at: number): string {
	return partsIn(safeZone(timezone), at).day
}

export function inQuietHours(q: QuietHours | null, timezone: string, at: number): boolean {
	if (!q || q.startMinute === q.endMinute) return false
	const { minute } = partsIn(safeZone(timezone), at)
	return q.startMinute < q.endMinute
		? minute >= q.startMinute && minute < q.endMinute
		: minute >= q.startMinute || minute < q.endMinute
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>()

/** Minutes east of UTC in `timezone` at `at` (daylight saving included). */
export function utcOffsetMinutes(timezone: string, at: number): number {
	const zone = safeZone(timezone)
	let f = offsetFormatters.get(zone)
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
		offsetFormatters.set(zone, f)
	}
	// "GMT+07:00", "GMT-03:30", or plain "GMT" for UTC itself
	const name = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT'
	const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name)
	return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0
}

// A bad zone in a family row must not break every turn of that family; UTC is a safe reading.
function safeZone(timezone: string): string {
	if (formatters.has(timezone)) return timezone
	try {
		new Intl.DateTimeFormat('en', { timeZone: timezone })
		return timezone
	} catch {
		return 'UTC'
	}
}
