import { GatewayError } from '../../errors'
import type { FamilyDeviceRepository } from '../../store/family-devices'
import type { DayUsage, FamilyUsageRepository } from '../../store/family-usage'

// Daily talk time, turns, tokens and what they cost, for the family and per toy. Cost is an
// estimate from configured prices (tokens themselves are estimated, docs/safety.md).

export interface Prices {
	usdPerMillionTokensIn: number
	usdPerMillionTokensOut: number
	usdPerAudioMinuteIn: number
	usdPerAudioMinuteOut: number
}

export interface DayReport {
	day: string
	turns: number
	tokens_in: number
	tokens_out: number
	minutes: number
	cost_usd: number
}

const MAX_DAYS = 366
const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places

export class UsageService {
	constructor(
		private readonly usage: FamilyUsageRepository,
		private readonly devices: FamilyDeviceRepository,
		private readonly prices: Prices,
	) {}

	costOf(u: DayUsage): number {
		const p = this.prices
		return (
			(u.tokensIn * p.usdPerMillionTokensIn) / 1e6 +
			(u.tokensOut * p.usdPerMillionTokensOut) / 1e6 +
			(u.audioInMs / 60_000) * p.usdPerAudioMinuteIn +
			(u.audioOutMs / 60_000) * p.usdPerAudioMinuteOut
		)
	}

	day(u: DayUsage): DayReport {
		return {
			day: u.day,
			turns: u.turns,
			tokens_in: u.tokensIn,
			tokens_out: u.tokensOut,
			minutes: round((u.audioInMs + u.audioOutMs) / 60_000, 2),
			cost_usd: round(this.costOf(u), 6),
		}
	}

	async report(familyId: string, from: string | undefined, to: string | undefined, today: string) {
		const end = to ?? today
		const start = from ?? shiftDay(end, -29)
		if (start > end) throw new GatewayError('BAD_REQUEST', 'from is after to')
		if ((Date.parse(end) - Date.parse(start)) / 86_400_000 >= MAX_DAYS) throw new GatewayError('BAD_REQUEST', `at most ${MAX_DAYS} days at once`)
		const [family, devices] = await Promise.all([this.usage.family(familyId, start, end), this.devices.ofFamily(familyId)])
		const perDevice = await this.usage.devices(
			devices.map((d) => d.deviceId),
			start,
			end,
		)
		const days = family.map((u) => this.day(u))
		return {
			from: start,
			to: end,
			days,
			devices: [...perDevice].map(([device_id, rows]) => ({ device_id, days: rows.map((u) => this.day(u)) })),
			total: {
				turns: days.reduce((n, d) => n + d.turns, 0),
				minutes: round(days.reduce((n, d) => n + d.minutes, 0), 2),
				cost_usd: round(days.reduce((n, d) => n + d.cost_usd, 0), 6),
			},
			estimated: true as const,
		}
	}
}

function shiftDay(day: string, by: number): string {
	return new Date(Date.parse(`${day}T00:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10)
}
