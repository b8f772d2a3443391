import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type postgres from 'postgres'
import { transaction, type Tx } from './transaction'

// Pairing codes (sql/0002, 0004): six digits a toy speaks aloud and a parent types in to bind the toy
// to a child of their family, plus the per-device token generation that revokes device JWTs.
//
// ! The digits are never stored. A row holds HMAC(key, digits) to find the code a parent typed, and
// a random seed from which HMAC(key, seed) derives the digits again, so a toy that checks in twice
// hears the same code. Without the key (derived from the fleet secret) a database dump reveals no
// code: a plain hash of six digits would fall to a million guesses.

export interface PairingCode {
	deviceId: string
	code: string
	challenge: string
	expiresAt: Date
	attempts: number
	/** When the toy called /xiaozhi/ota/activate for this code; null until it did. */
	acknowledgedAt: Date | null
}

/** Who may bind a toy: a parent of `familyId`, to a child of that family. */
// Crockford's base32: no I, L, O or U, so a code read off a box is typed right.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

export interface Claimant {
	familyId: string
	childId: string
}

export type ClaimOutcome =
	| { kind: 'paired'; deviceId: string }
	| { kind: 'unknown_code' }
	| { kind: 'expired' }
	| { kind: 'wrong'; attemptsLeft: number }
	| { kind: 'burned' }
	| { kind: 'no_child' }
	| { kind: 'taken' }

interface CodeRow {
	device_id: string
	code_hash: Uint8Array
	code_seed: Uint8Array
	challenge: string
	expires_at: Date
	attempts: number
	acknowledged_at: Date | null
	expired: boolean
}

const UNIQUE_VIOLATION = '23505'
const DRAWS = 8

export class PairingRepository {
	constructor(
		private readonly sql: postgres.Sql,
		/** Keys the code hash and the seed → digits derivation; derive it from the fleet secret. */
		private readonly codeKey: Uint8Array,
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

	/**
	 * Moves the toy to a new token generation, so every device JWT issued before stops working, and
	 * returns it for the JWT about to be issued (a toy holds one live JWT: the newest). Null for an
	 * unknown or revoked toy.
	 */
	async rotateTokenGeneration(deviceId: string): Promise<number | null> {
		const [row] = await this.sql<{ token_generation: number }[]>`
			update devices set token_generation = token_generation + 1
			where device_id = ${deviceId} and revoked_at is null
			returning token_generation
		`
		return row ? row.token_generation : null
	}

	/** The toy's code if it can still be claimed (not expired, not burned). */
	async live(deviceId: string): Promise<PairingCode | null> {
		const [row] = await this.sql<CodeRow[]>`
			select *, false as expired from pairing_codes
			where device_id = ${deviceId} and expires_at > now() and attempts < ${this.maxAttempts}
		`
		return row ? this.toCode(row) : null
	}

	/**
	 * Gives the toy a code valid for `ttlSeconds`. With `reuse`, a live code is kept (a toy that checks
	 * in again keeps saying the same digits); without, a fresh code replaces it. The device must exist.
	 */
	async issue(deviceId: string, ttlSeconds: number, reuse: boolean): Promise<PairingCode> {
		for (let draw = 0; draw < DRAWS; draw++) {
			const seed = randomBytes(16)
			const hash = this.hash(this.digits(seed))
			try {
				const row = await transaction(this.sql, async (tx) => {
					// a code left on another toy's expired or burned row may be drawn again
					await tx`
						delete from pairing_codes
						where code_hash = ${hash} and device_id <> ${deviceId}
							and (expires_at <= now() or attempts >= ${this.maxAttempts})
					`
					const [upserted] = await tx<CodeRow[]>`
						insert into pairing_codes (device_id, code_hash, code_seed, challenge, expires_at)
						values (${deviceId}, ${hash}, ${seed}, ${randomBytes(16).toString('hex')}, now() + make_interval(secs => ${ttlSeconds}))
						on conflict (device_id) do update set
							code_hash = excluded.code_hash, code_seed = excluded.code_seed, challenge = excluded.challenge,
							expires_at = excluded.expires_at, attempts = 0, acknowledged_at = null, created_at = now()
						where ${!reuse} or pairing_codes.expires_at <= now() or pairing_codes.attempts >= ${this.maxAttempts}
						returning *, false as expired
					`
					if (upserted) return upserted
					// ? reuse and a live code exists: the conditional update above left it alone
					const [kept] = await tx<CodeRow[]>`select *, false as expired from pairing_codes where device_id = ${deviceId}`
					return kept!
				})
				return this.toCode(row)
			} catch (err) {
				// another toy holds this code right now: draw again
				if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err
			}
		}
		throw new Error(`no free pairing code after ${DRAWS} draws`)
	}

	/** The toy announced its live code (xiaozhi activation); false when it has none. */
	async acknowledge(deviceId: string): Promise<boolean> {
		const result = await this.sql`
			update pairing_codes set acknowledged_at = coalesce(acknowledged_at, now())
			where device_id = ${deviceId} and expires_at > now() and attempts < ${this.maxAttempts}
		`
		return result.count > 0
	}

	/** Parent typed a code alone: it names the toy. */
	claimByCode(code: string, claimant: Claimant): Promise<ClaimOutcome> {
		return transaction(this.sql, async (tx) => {
			const [row] = await tx<CodeRow[]>`
				select *, expires_at <= now() as expired from pairing_codes where code_hash = ${this.hash(code)} for update
			`
			return row ? this.settle(tx, row, code, claimant) : { kind: 'unknown_code' as const }
		})
	}

	/** Parent named the toy and typed its code: wrong guesses count against that toy's code. */
	claimByDevice(deviceId: string, code: string, claimant: Claimant): Promise<ClaimOutcome> {
		return transaction(this.sql, async (tx) => {
			const [row] = await tx<CodeRow[]>`
				select *, expires_at <= now() as expired from pairing_codes where device_id = ${deviceId} for update
			`
			return row ? this.settle(tx, row, code, claimant) : { kind: 'unknown_code' as const }
		})
	}

	/**
	 * The code printed on the toy's box at the factory (`scripts/device.ts box-code`): 80 bits from
	 * the fleet secret, so a toy with no screen or speaker yet can be claimed. It never changes, so
	 * it claims only a toy that is paired to no child: a second owner needs the first to unpair.
	 */
	boxCode(deviceId: string): string {
		const mac = createHmac('sha256', this.codeKey).update(`teddy-box-code|${deviceId}`).digest()
		let bits = 0n
		for (const b of mac.subarray(0, 10)) bits = (bits << 8n) | BigInt(b)
		let code = ''
		for (let i = 0; i < 16; i++) code = CROCKFORD[Number((bits >> BigInt(5 * i)) & 31n)] + code
		return code.replace(/(.{4})(?!$)/g, '$1-')
	}

	/** Parent named the toy and typed the code from its box; any spelling of it (case, dashes, O/0, I/L/1). */
	claimByBox(deviceId: string, typed: string, claimant: Claimant): Promise<ClaimOutcome> {
		const canon = (c: string) => c.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')
		const expected = Buffer.from(canon(this.boxCode(deviceId)))
		const given = Buffer.from(canon(typed))
		// ? Constant time: the comparison says nothing about how many characters were right.
		if (given.length !== expected.length || !timingSafeEqual(given, expected)) return Promise.resolve({ kind: 'unknown_code' })
		return transaction(this.sql, async (tx) => {
			const [child] = await tx<{ id: string }[]>`
				select id from children where id = ${claimant.childId} and family_id = ${claimant.familyId}
			`
			if (!child) return { kind: 'no_child' as const }
			// a toy that never connected is registered here: the box came before the Wi-Fi
			await tx`insert into devices (device_id) values (${deviceId}) on conflict (device_id) do nothing`
			const bound = await tx`
				update devices set paired_child_id = ${child.id}
				where device_id = ${deviceId} and revoked_at is null and (paired_child_id is null or paired_child_id = ${child.id})
			`
			if (bound.count === 0) return { kind: 'taken' as const }
			await tx`delete from pairing_codes where device_id = ${deviceId}`
			return { kind: 'paired' as const, deviceId }
		})
	}

	// ! Runs under the row lock, and returns (never throws) on a wrong guess so its count is committed.
	private async settle(tx: Tx, row: CodeRow, guess: string, claimant: Claimant): Promise<ClaimOutcome> {
		if (row.attempts >= this.maxAttempts) return { kind: 'burned' }
		if (row.expired) return { kind: 'expired' }
		if (!timingSafeEqual(Buffer.from(row.code_hash), this.hash(guess))) {
			const [counted] = await tx<{ attempts: number }[]>`
				update pairing_codes set attempts = attempts + 1 where device_id = ${row.device_id} returning attempts
			`
			const left = this.maxAttempts - counted!.attempts
			return left > 0 ? { kind: 'wrong', attemptsLeft: left } : { kind: 'burned' }
		}
		// ! Only a child of the claiming parent's own family: never a child of another household,
		// nor one that belongs to a toy rather than a family.
		const [child] = await tx<{ id: string }[]>`
			select id from children where id = ${claimant.childId} and family_id = ${claimant.familyId}
		`
		if (!child) return { kind: 'no_child' }
		const bound = await tx`
			update devices set paired_child_id = ${child.id} where device_id = ${row.device_id} and revoked_at is null
		`
		if (bound.count === 0) return { kind: 'unknown_code' }
		// a used code must not pair a second time
		await tx`delete from pairing_codes where device_id = ${row.device_id}`
		return { kind: 'paired', deviceId: row.device_id }
	}

	private digits(seed: Uint8Array): string {
		// 48 bits mod 10^6: the bias is below one part in 10^8
		const n = createHmac('sha256', this.codeKey).update('teddy-pairing-digits|').update(seed).digest().readUIntBE(0, 6)
		return String(n % 1_000_000).padStart(6, '0')
	}

	private hash(code: string): Buffer {
		return createHmac('sha256', this.codeKey).update(`teddy-pairing-code|${code}`).digest()
	}

	private toCode(r: CodeRow): PairingCode {
		return {
			deviceId: r.device_id,
			code: this.digits(r.code_seed),
			challenge: r.challenge,
			expiresAt: r.expires_at,
			attempts: r.attempts,
			acknowledgedAt: r.acknowledged_at,
		}
	}
}
