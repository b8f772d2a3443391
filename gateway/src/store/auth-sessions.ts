import { randomUUID } from 'node:crypto'
import type postgres from 'postgres'
import type { AccountRole } from './accounts'
import { transaction } from './transaction'

// Login sessions and their refresh tokens (sql/0005). A refresh token is used once: refreshing
// marks it used and issues the next. A used token presented again means two parties hold it (it
// was stolen, or a copy leaked): the whole session ends, so the thief's copy dies with the
// parent's, and the parent logs in again (refresh-token reuse detection, OAuth 2.0 Security BCP).

export interface SessionPrincipal {
	sessionId: string
	parentId: string
	familyId: string | null
	role: AccountRole
}

export type RotateOutcome =
	| ({ kind: 'ok' } & SessionPrincipal)
	| { kind: 'unknown' }
	/** the session was revoked or expired */
	| { kind: 'ended' }
	/** a used token came back: the session is now revoked */
	| { kind: 'reused'; sessionId: string }

interface RefreshRow {
	session_id: string
	used_at: Date | null
	parent_id: string
	family_id: string | null
	role: AccountRole
	ended: boolean
}

export class AuthSessionRepository {
	constructor(private readonly sql: postgres.Sql) {}

	async start(parentId: string, ttlDays: number, refreshHash: Uint8Array): Promise<string> {
		const id = randomUUID()
		await transaction(this.sql, async (tx) => {
			await tx`
				insert into auth_sessions (id, parent_id, expires_at)
				values (${id}, ${parentId}, now() + make_interval(days => ${ttlDays}))
			`
			await tx`insert into refresh_tokens (token_hash, session_id) values (${refreshHash}, ${id})`
		})
		return id
	}

	async rotate(presented: Uint8Array, next: Uint8Array): Promise<RotateOutcome> {
		return transaction(this.sql, async (tx) => {
			const [row] = await tx<RefreshRow[]>`
				select t.session_id, t.used_at, s.parent_id, p.family_id, p.role,
					(s.revoked_at is not null or s.expires_at <= now()) as ended
				from refresh_tokens t join auth_sessions s on s.id = t.session_id join parents p on p.id = s.parent_id
				where t.token_hash = ${presented}
				for update of t, s
			`
			if (!row) return { kind: 'unknown' as const }
			if (row.ended) return { kind: 'ended' as const }
			if (row.used_at) {
				// ! Returned, not thrown: the revocation must commit.
				await tx`update auth_sessions set revoked_at = now(), revoke_reason = 'refresh_reuse' where id = ${row.session_id}`
				return { kind: 'reused' as const, sessionId: row.session_id }
			}
			await tx`update refresh_tokens set used_at = now() where token_hash = ${presented}`
			await tx`insert into refresh_tokens (token_hash, session_id) values (${next}, ${row.session_id})`
			return { kind: 'ok' as const, sessionId: row.session_id, parentId: row.parent_id, familyId: row.family_id, role: row.role }
		})
	}

	/** Who a live session belongs to; null once it is revoked, expired, or its account is gone. */
	async principal(sessionId: string): Promise<SessionPrincipal | null> {
		const [row] = await this.sql<{ parent_id: string; family_id: string | null; role: AccountRole }[]>`
			select s.parent_id, p.family_id, p.role
			from auth_sessions s join parents p on p.id = s.parent_id
			where s.id = ${sessionId} and s.revoked_at is null and s.expires_at > now()
		`
		return row ? { sessionId, parentId: row.parent_id, familyId: row.family_id, role: row.role } : null
	}

	/** The session a refresh token belongs to (logout by refresh cookie). */
	async sessionOf(refreshHash: Uint8Array): Promise<string | null> {
		const [row] = await this.sql<{ session_id: string }[]>`select session_id from refresh_tokens where token_hash = ${refreshHash}`
		return row?.session_id ?? null
	}

	async revoke(sessionId: string, reason: string): Promise<void> {
		await this.sql`update auth_sessions set revoked_at = now(), revoke_reason = ${reason} where id = ${sessionId} and revoked_at is null`
	}

	async revokeAll(parentId: string, reason: string): Promise<number> {
		const r = await this.sql`
			update auth_sessions set revoked_at = now(), revoke_reason = ${reason} where parent_id = ${parentId} and revoked_at is null
		`
		return r.count
	}
}
