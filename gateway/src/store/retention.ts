import type { Tx } from './transaction'

// The retention policy (docs/privacy.md), as statements. Transcripts, alert excerpts and the toy's
// memory of a child go after the family's retention period (RETENTION_DAYS unless the family chose
// otherwise); usage after 400 days; the audit log after AUDIT_RETENTION_DAYS; spent sessions and
// links soon after they stop working; sign-ups never confirmed after a week.

export interface RetentionPolicy {
	/** transcripts, alerts and memory, for families without their own setting (and children without a family) */
	defaultDays: number
	auditDays: number
}

// ? 13 months: a parent can compare a month with the same month last year.
const USAGE_DAYS = 400
const SPENT_AUTH_DAYS = 30
const UNCONFIRMED_SIGNUP_DAYS = 7

export type PurgeCounts = Record<string, number>

export async function purge(tx: Tx, p: RetentionPolicy): Promise<PurgeCounts> {
	const counts: PurgeCounts = {}
	const run = async (name: string, q: Promise<{ count: number }>) => {
		counts[name] = (counts[name] ?? 0) + (await q).count
	}
	// A conversation goes when its last word is older than the child's family's period (messages cascade).
	await run(
		'conversations',
		tx`
			delete from conversations c using children ch left join families f on f.id = ch.family_id
			where ch.id = c.child_id
				and coalesce(c.ended_at, (select max(m.created_at) from messages m where m.conversation_id = c.id), c.started_at)
					< now() - make_interval(days => coalesce(f.retention_days, ${p.defaultDays}))
		`,
	)
	await run(
		'parent_alerts',
		tx`
			delete from parent_alerts a using (select a2.id, coalesce(f.retention_days, ${p.defaultDays}) as days
				from parent_alerts a2 left join families f on f.id = a2.family_id) r
			where r.id = a.id and a.created_at < now() - make_interval(days => r.days)
		`,
	)
	await run(
		'child_summaries',
		tx`
			delete from child_summaries s using children ch left join families f on f.id = ch.family_id
			where ch.id = s.child_id and s.updated_at < now() - make_interval(days => coalesce(f.retention_days, ${p.defaultDays}))
		`,
	)
	await run('usage_daily', tx`delete from usage_daily where day < (now() - make_interval(days => ${USAGE_DAYS}))::date`)
	await run('audit_log', tx`delete from audit_log where at < now() - make_interval(days => ${p.auditDays})`)
	await run(
		'auth_sessions',
		tx`
			delete from auth_sessions where coalesce(revoked_at, expires_at) < now() - make_interval(days => ${SPENT_AUTH_DAYS})
		`,
	)
	await run('account_tokens', tx`delete from account_tokens where coalesce(used_at, expires_at) < now() - interval '1 day'`)
	// a household whose only parent never confirmed the address: no child can have been consented for
	await run(
		'families',
		tx`
			delete from families f where f.created_at < now() - make_interval(days => ${UNCONFIRMED_SIGNUP_DAYS})
				and exists (select 1 from parents p where p.family_id = f.id)
				and not exists (select 1 from parents p where p.family_id = f.id and p.email_verified_at is not null)
		`,
	)
	// ages follow birth years, so the toy talks to a child as old as they are now
	await run(
		'children_age',
		tx`
			update children set age = least(13, greatest(3, extract(year from now())::int - birth_year))
			where birth_year is not null and age <> least(13, greatest(3, extract(year from now())::int - birth_year))
		`,
	)
	return counts
}
