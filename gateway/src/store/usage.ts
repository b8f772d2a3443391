import type postgres from 'postgres'

// Daily metering per toy and per family: what a turn cost in tokens (as the API reported them, or
// estimated where it reported none: `tokensEstimated` says how many) and audio time.
// `day` is the family's local date (YYYY-MM-DD), decided by the caller, so a family's day ends at
// its own midnight.

export type UsageScope = 'device' | 'family'

export interface Usage {
	turns: number
	tokensIn: number
	tokensOut: number
	/** Of tokensIn + tokensOut, how many were estimated from text because the API reported none. */
	tokensEstimated: number
	audioInMs: number
	audioOutMs: number
}

export const NO_USAGE: Usage = { turns: 0, tokensIn: 0, tokensOut: 0, tokensEstimated: 0, audioInMs: 0, audioOutMs: 0 }

export interface UsageRow {
	turns: number
	tokens_in: string | number
	tokens_out: string | number
	tokens_estimated: string | number
	audio_in_ms: string | number
	audio_out_ms: string | number
}

export const toUsage = (r: UsageRow): Usage => ({
	turns: Number(r.turns),
	tokensIn: Number(r.tokens_in),
	tokensOut: Number(r.tokens_out),
	tokensEstimated: Number(r.tokens_estimated),
	audioInMs: Number(r.audio_in_ms),
	audioOutMs: Number(r.audio_out_ms),
})

export class UsageRepository {
	constructor(private readonly sql: postgres.Sql) {}

	async get(scope: UsageScope, scopeId: string, day: string): Promise<Usage> {
		const [row] = await this.sql<UsageRow[]>`
			select turns, tokens_in, tokens_out, tokens_estimated, audio_in_ms, audio_out_ms from usage_daily
			where scope = ${scope} and scope_id = ${scopeId} and day = ${day}
		`
		return row ? toUsage(row) : { ...NO_USAGE }
	}

	/**
	 * Adds one turn to the device's row and, when it has one, the family's, atomically: one
	 * statement with both rows (it runs after every turn of every toy, so one round trip, not a
	 * transaction's four).
	 */
	async add(day: string, deviceId: string, familyId: string | null, u: Usage): Promise<void> {
		const row = (scope: UsageScope, scope_id: string) => ({
			day,
			scope,
			scope_id,
			turns: u.turns,
			tokens_in: u.tokensIn,
			tokens_out: u.tokensOut,
			tokens_estimated: u.tokensEstimated,
			audio_in_ms: u.audioInMs,
			audio_out_ms: u.audioOutMs,
		})
		const rows = familyId ? [row('device', deviceId), row('family', familyId)] : [row('device', deviceId)]
		// ! Only for a toy and a family that still exist: a turn aborted by a deletion settles after it,
		// and usage has no foreign key to stop it. The key-share lock makes a concurrent deletion wait
		// for this insert, and the deletion removes usage after the family and toy rows (store/erasure.ts).
		await this.sql`
			insert into usage_daily (day, scope, scope_id, turns, tokens_in, tokens_out, tokens_estimated, audio_in_ms, audio_out_ms)
			select v.day::date, v.scope, v.scope_id, v.turns::int, v.tokens_in::bigint, v.tokens_out::bigint, v.tokens_estimated::bigint,
				v.audio_in_ms::bigint, v.audio_out_ms::bigint
			from (values ${this.sql(rows.map((r) => [r.day, r.scope, r.scope_id, r.turns, r.tokens_in, r.tokens_out, r.tokens_estimated, r.audio_in_ms, r.audio_out_ms]))})
				as v (day, scope, scope_id, turns, tokens_in, tokens_out, tokens_estimated, audio_in_ms, audio_out_ms)
			where case v.scope
				when 'device' then exists (select 1 from devices d where d.device_id = v.scope_id for key share)
				else exists (select 1 from families f where f.id = v.scope_id::uuid for key share)
			end
			on conflict (scope, scope_id, day) do update set
				turns = usage_daily.turns + excluded.turns,
				tokens_in = usage_daily.tokens_in + excluded.tokens_in,
				tokens_out = usage_daily.tokens_out + excluded.tokens_out,
				tokens_estimated = usage_daily.tokens_estimated + excluded.tokens_estimated,
				audio_in_ms = usage_daily.audio_in_ms + excluded.audio_in_ms,
				audio_out_ms = usage_daily.audio_out_ms + excluded.audio_out_ms
		`
	}
}
