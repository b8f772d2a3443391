import type postgres from 'postgres'
import type { Usage } from './usage'

// Daily metering as a parent reads it: their family's row per local day, and their toys' rows.

export interface DayUsage extends Usage {
	day: string
}

interface Row {
	day: string
	scope_id: string
	turns: number
	tokens_in: string | number
	tokens_out: string | number
	audio_in_ms: string | number
	audio_out_ms: string | number
}

const toDay = (r: Row): DayUsage => ({
	day: r.day,
	turns: Number(r.turns),
	tokensIn: Number(r.tokens_in),
	tokensOut: Number(r.tokens_out),
	audioInMs: Number(r.audio_in_ms),
	audioOutMs: Number(r.audio_out_ms),
})

export class FamilyUsageRepository {
	constructor(private readonly sql: postgres.Sql) {}

	async family(familyId: string, from: string, to: string): Promise<DayUsage[]> {
		const rows = await this.sql<Row[]>`
			select day::text as day, scope_id, turns, tokens_in, tokens_out, audio_in_ms, audio_out_ms from usage_daily
			where scope = 'family' and scope_id = ${familyId} and day between ${from}::date and ${to}::date
			order by day desc
		`
		return rows.map(toDay)
	}

	async devices(deviceIds: string[], from: string, to: string): Promise<Map<string, DayUsage[]>> {
		const out = new Map<string, DayUsage[]>(deviceIds.map((id) => [id, []]))
		if (deviceIds.length === 0) return out
		const rows = await this.sql<Row[]>`
			select day::text as day, scope_id, turns, tokens_in, tokens_out, audio_in_ms, audio_out_ms from usage_daily
			where scope = 'device' and scope_id = any(${deviceIds}::text[]) and day between ${from}::date and ${to}::date
			order by day desc
		`
		for (const r of rows) out.get(r.scope_id)?.push(toDay(r))
		return out
	}
}
