import type postgres from 'postgres'
import { toUsage, type Usage, type UsageRow } from './usage'

// Daily metering as a parent reads it: their family's row per local day, and their toys' rows.

export interface DayUsage extends Usage {
	day: string
}

interface Row extends UsageRow {
	day: string
	scope_id: string
}

const toDay = (r: Row): DayUsage => ({ day: r.day, ...toUsage(r) })

export class FamilyUsageRepository {
	constructor(private readonly sql: postgres.Sql) {}

	/** Adds usage that no toy made (a parent's text chat) to the family's day: it counts against the budget. */
	async addFamily(day: string, familyId: string, u: Usage): Promise<void> {
		await this.sql`
			insert into usage_daily (day, scope, scope_id, turns, tokens_in, tokens_out, tokens_estimated, audio_in_ms, audio_out_ms)
			select ${day}::date, 'family', ${familyId}, ${u.turns}, ${u.tokensIn}, ${u.tokensOut}, ${u.tokensEstimated}, ${u.audioInMs}, ${u.audioOutMs}
			where exists (select 1 from families where id = ${familyId} for key share)
			on conflict (scope, scope_id, day) do update set
				turns = usage_daily.turns + excluded.turns, tokens_in = usage_daily.tokens_in + excluded.tokens_in,
				tokens_out = usage_daily.tokens_out + excluded.tokens_out,
				tokens_estimated = usage_daily.tokens_estimated + excluded.tokens_estimated, audio_in_ms = usage_daily.audio_in_ms + excluded.audio_in_ms,
				audio_out_ms = usage_daily.audio_out_ms + excluded.audio_out_ms
		`
	}

	async family(familyId: string, from: string, to: string): Promise<DayUsage[]> {
		const rows = await this.sql<Row[]>`
			select day::text as day, scope_id, turns, tokens_in, tokens_out, tokens_estimated, audio_in_ms, audio_out_ms from usage_daily
			where scope = 'family' and scope_id = ${familyId} and day between ${from}::date and ${to}::date
			order by day desc
		`
		return rows.map(toDay)
	}

	async devices(deviceIds: string[], from: string, to: string): Promise<Map<string, DayUsage[]>> {
		const out = new Map<string, DayUsage[]>(deviceIds.map((id) => [id, []]))
		if (deviceIds.length === 0) return out
		const rows = await this.sql<Row[]>`
			select day::text as day, scope_id, turns, tokens_in, tokens_out, tokens_estimated, audio_in_ms, audio_out_ms from usage_daily
			where scope = 'device' and scope_id = any(${deviceIds}::text[]) and day between ${from}::date and ${to}::date
			order by day desc
		`
		for (const r of rows) out.get(r.scope_id)?.push(toDay(r))
		return out
	}
}
