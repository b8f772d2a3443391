import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import type postgres from 'postgres'
import { transaction, type Tx } from './transaction'

// Pairing codes (sql/0002): six digits a toy speaks aloud and a parent types in to bind the toy to a
// child, plus the per-device token generation that revokes device JWTs.

export interface PairingCode {
	deviceId: string
	code: string
	challenge: string
	expiresAt: Date
	attempts: number
}

export type ClaimOutcome =
	| { kind: 'paired'; deviceId: string }
	| { kind: 'unknown_code' }
	| { kind: 'expired' }
	| { kind: 'wrong'; attemptsLeft: number }
	| { kind: 'burned' }
	| { kind: 'no_child' }

interface CodeRow {
	device_id: string
	code: string
	challenge: string
	expires_at: Date
	attempts: number
	expired: boolean
}

const toCode = (r: CodeRow): PairingCode => ({
	deviceId: r.device_id,
	code: r.code,
	challenge: r.challenge,
	expiresAt: r.expires_at,
	attempts: r.attempts,
})

const UNIQUE_VIOLATION = '23505'
const DRAWS = 8

const drawCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0')

function sameCode(a: string, b: string): boolean {
	const x = Buffer.from(a)
	const y = Buffer.from(b)
	return x.length === y.length && timingSafeEqual(x, y)
}

export class PairingRepository {
	constructor(
		private readonly sql: postgres.Sql,
		/** Wrong guesses a toy's code survives; at this count it is burned. */
		readonly maxAttempts = 5,
	) {}

	/** The generation a device JWT must carry; null for unknown or revoked toys (no token is valid). */
	async tokenGeneration(deviceId: string): Promise<number | null> {
		const [row] = await this.sql<{ token_generation: number }[]>`
			select token_generation from devices where device_id = ${deviceId} and revoked_at is null
		`
		return row ? row.token_generation : null
	}

	/** The toy's code if it can still be claimed (not expired, not burned). */
	async live(deviceId: string): Promise<PairingCode | null> {
		const [row] = await this.sql<CodeRow[]>`
			select *, false as expired from pairing_codes
			where device_id = ${deviceId} and expires_at > now() and attempts < ${this.maxAttempts}
		`
		return row ? toCode(row) : null
	}

	/**
	 * Gives the toy a code valid for `ttlSeconds`. With `reuse`, a live code is kept (a toy that checks
	 * in again keeps saying the same digits); without, a fresh code replaces it. The device must exist.
	 */
	async issue(deviceId: string, ttlSeconds: number, reuse: boolean): Promise<PairingCode> {
		for (let draw = 0; draw < DRAWS; draw++) {
			try {
				const row = await transaction(this.sql, async (tx) => {
					const code = drawCode()
					// a code left on another toy's expired or burned row may be drawn again
					await tx`
						delete from pairing_codes
						where code = ${code} and device_id <> ${deviceId}
							and (expires_at <= now() or attempts >= ${this.maxAttempts})
					`
					const [upserted] = await tx<CodeRow[]>`
						insert into pairing_codes (device_id, code, challenge, expires_at)
						values (${deviceId}, ${code}, ${randomBytes(16).toString('hex')}, now() + make_interval(secs => ${ttlSeconds}))
						on conflict (device_id) do update set
							code = excluded.code, challenge = excluded.challenge, expires_at = excluded.expires_at,
							attempts = 0, created_at = now()
						where ${!reuse} or pairing_codes.expires_at <= now() or pairing_codes.attempts >= ${this.maxAttempts}
						returning *, false as expired
					`
					if (upserted) return upserted
					// ? reuse and a live code exists: the conditional update above left it alone
					const [kept] = await tx<CodeRow[]>`select *, false as expired from pairing_codes where device_id = ${deviceId}`
					return kept!
				})
				return toCode(row)
			} catch (err) {
				// another toy holds this code right now: draw again
				if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err
			}
		}
		throw new Error(`no free pairing code after ${DRAWS} draws`)
	}

	/** Parent typed a code alone: it names the toy. The child must be of the parent's family. */
	claimByCode(code: string, childId: string, familyId: string): Promise<ClaimOutcome> {
		return transaction(this.sql, async (tx) => {
			const [row] = await tx<CodeRow[]>`
				select *, expires_at <= now() as expired from pairing_codes where code = ${code} for update
			`
			return row ? this.settle(tx, row, code, childId, familyId) : { kind: 'unknown_code' as const }
		})
	}

	/** Parent named the toy and typed its code: wrong guesses count against that toy's code. */
	claimByDevice(deviceId: string, code: string, childId: string, familyId: string): Promise<ClaimOutcome> {
		return transaction(this.sql, async (tx) => {
			const [row] = await tx<CodeRow[]>`
				select *, expires_at <= now() as expired from pairing_codes where device_id = ${deviceId} for update
			`
			return row ? this.settle(tx, row, code, childId, familyId) : { kind: 'unknown_code' as const }
		})
	}

	// ! Runs under the row lock, and returns (never throws) on a wrong guess so its count is committed.
	private async settle(tx: Tx, row: CodeRow, guess: string, childId: string, familyId: string): Promise<ClaimOutcome> {
		if (row.attempts >= this.maxAttempts) return { kind: 'burned' }
		if (row.expired) return { kind: 'expired' }
		if (!sameCode(row.code, guess)) {
			const [counted] = await tx<{ attempts: number }[]>`
				update pairing_codes set attempts = attempts + 1 where device_id = ${row.device_id} returning attempts
			`
			const left = this.maxAttempts - counted!.attempts
			return left > 0 ? { kind: 'wrong', attemptsLeft: left } : { kind: 'burned' }
		}
		// another family's child reads as no child at all
		const [child] = await tx<{ id: string }[]>`select id from children where id = ${childId} and family_id = ${familyId}`
		if (!child) return { kind: 'no_child' }
		const bound = await tx`
			update devices set paired_child_id = ${childId} where device_id = ${row.device_id} and revoked_at is null
		`
		if (bound.count === 0) return { kind: 'unknown_code' }
		// a used code must not pair a second time
		await tx`delete from pairing_codes where device_id = ${row.device_id}`
		return { kind: 'paired', deviceId: row.device_id }
	}
}
