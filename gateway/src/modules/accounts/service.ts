import { type AccessTokens, opaqueToken, tokenHash } from '../../auth/parent-tokens'
import type { Passwords } from '../../auth/passwords'
import { GatewayError } from '../../errors'
import type { Logger } from '../../obs/logger'
import type { Account, AccountRepository } from '../../store/accounts'
import type { AccountTokenRepository } from '../../store/account-tokens'
import type { AuthSessionRepository } from '../../store/auth-sessions'
import type { FamilyRepository } from '../../store/families'
import type { LockoutCounter } from '../../store/lockout'
import type { AccountMail } from './mails'

// Parent accounts: sign-up with a verified address, sign-in with lockout, single-use refresh
// tokens, password reset and address change by mailed link. Answers never say whether an address
// has an account (sign-up and "forgot" look the same either way).

export interface AccountsSettings {
	refreshTokenTtlDays: number
	lockoutAccountFailures: number
	lockoutIpFailures: number
	lockoutMinutes: number
}

export interface AccountsDeps {
	accounts: AccountRepository
	sessions: AuthSessionRepository
	links: AccountTokenRepository
	families: FamilyRepository
	tokens: AccessTokens
	passwords: Passwords
	lockout: LockoutCounter
	mail: AccountMail
	emailIndex: (email: string) => Uint8Array
	settings: AccountsSettings
	log: Logger
}

export interface SignedIn {
	accessToken: string
	refreshToken: string
	expiresIn: number
	csrfToken: string
	role: Account['role']
}

const DAY = 24 * 3600
const VERIFY_TTL = DAY
const RESET_TTL = 3600
const CHANGE_TTL = DAY
// a parent's inbox is not a target: at most this many unasked-for mails (reset, "already signed up",
// resent confirmation) per account per lockout window
const RESET_MAILS_PER_WINDOW = 3

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

export class AccountsService {
	constructor(private readonly d: AccountsDeps) {}

	async register(email: string, password: string): Promise<void> {
		// hashed first on both paths, so the answer takes as long whether or not the address is taken
		const hash = await this.d.passwords.hash(password)
		const created = await this.d.accounts.createParent(email, hash)
		if (!created) {
			// sign-ups with someone else's address must not flood their inbox
			const owner = await this.d.accounts.byEmail(email)
			if (owner && (await this.d.lockout.fail(`mail:${owner.id}`)) > RESET_MAILS_PER_WINDOW) return
			await this.d.mail.alreadyRegistered(email)
			return
		}
		await this.sendVerification(created)
	}

	async resendVerification(email: string): Promise<void> {
		const account = await this.d.accounts.byEmail(email)
		if (!account || account.emailVerified) return
		if ((await this.d.lockout.fail(`mail:${account.id}`)) > RESET_MAILS_PER_WINDOW) return
		await this.d.links.revokeAll(account.id, 'verify_email')
		await this.sendVerification(account)
	}

	async verifyEmail(token: string): Promise<void> {
		const used = await this.d.links.consume(tokenHash(token), 'verify_email')
		if (!used) throw linkInvalid()
		await this.d.accounts.markVerified(used.parentId)
		await this.syncFamilyEmail(used.parentId)
	}

	async login(email: string, password: string, ip: string): Promise<{ signedIn: SignedIn } | { lockedForMs: number }> {
		const acctKey = `acct:${hex(this.d.emailIndex(email))}`
		const ipKey = `ip:${ip}`
		const s = this.d.settings
		const [acctFails, ipFails] = await Promise.all([this.d.lockout.failures(acctKey), this.d.lockout.failures(ipKey)])
		// ! Checked before the password: during a lockout even the right password is refused.
		if (acctFails >= s.lockoutAccountFailures || ipFails >= s.lockoutIpFailures) {
			const wait = await Promise.all([this.d.lockout.retryAfterMs(acctKey), this.d.lockout.retryAfterMs(ipKey)])
			return { lockedForMs: Math.max(...wait, 1000) }
		}
		const account = await this.d.accounts.byEmail(email)
		const ok = account ? await this.d.passwords.verify(password, account.passwordHash) : (await this.d.passwords.burn(password), false)
		if (!account || !ok) {
			await Promise.all([this.d.lockout.fail(acctKey), this.d.lockout.fail(ipKey)])
			throw new GatewayError('UNAUTHORIZED', 'wrong email or password')
		}
		if (!account.emailVerified) {
			throw new GatewayError('EMAIL_NOT_VERIFIED', 'confirm your email address first: follow the link we mailed you')
		}
		await this.d.lockout.clear(acctKey)
		return { signedIn: await this.startSession(account) }
	}

	async refresh(refreshToken: string): Promise<SignedIn> {
		const next = opaqueToken()
		const outcome = await this.d.sessions.rotate(tokenHash(refreshToken), tokenHash(next))
		switch (outcome.kind) {
			case 'unknown':
				throw new GatewayError('UNAUTHORIZED', 'unknown refresh token; sign in again')
			case 'ended':
				throw new GatewayError('UNAUTHORIZED', 'this session has ended; sign in again')
			case 'reused':
				this.d.log.warn({ sessionId: outcome.sessionId }, 'refresh token reused: session revoked')
				throw new GatewayError('UNAUTHORIZED', 'this refresh token was already used, so the session was ended for safety; sign in again')
		}
		const access = await this.d.tokens.issue(outcome)
		return {
			accessToken: access.token,
			refreshToken: next,
			expiresIn: access.expiresIn,
			csrfToken: this.d.tokens.csrfToken(outcome.sessionId),
			role: outcome.role,
		}
	}

	csrfMatches(sessionId: string, header: string | undefined): boolean {
		return this.d.tokens.csrfMatches(sessionId, header)
	}

	/** The session a refresh token belongs to, for the CSRF check of a cookie refresh. */
	sessionOfRefresh(refreshToken: string): Promise<string | null> {
		return this.d.sessions.sessionOf(tokenHash(refreshToken))
	}

	async logout(parentId: string, sessionId: string, everywhere: boolean): Promise<void> {
		if (everywhere) await this.d.sessions.revokeAll(parentId, 'logout_everywhere')
		else await this.d.sessions.revoke(sessionId, 'logout')
	}

	async forgotPassword(email: string): Promise<void> {
		const account = await this.d.accounts.byEmail(email)
		if (!account) return
		if ((await this.d.lockout.fail(`mail:${account.id}`)) > RESET_MAILS_PER_WINDOW) return
		await this.d.links.revokeAll(account.id, 'reset_password')
		const token = await this.issueLink(account.id, 'reset_password', RESET_TTL)
		await this.d.mail.reset(account.email, token)
	}

	async resetPassword(token: string, password: string): Promise<void> {
		const hash = await this.d.passwords.hash(password)
		const used = await this.d.links.consume(tokenHash(token), 'reset_password')
		if (!used) throw linkInvalid()
		await this.d.accounts.setPassword(used.parentId, hash)
		// whoever had the old password is signed out everywhere
		await this.d.sessions.revokeAll(used.parentId, 'password_reset')
		// opening the link proved the mailbox
		await this.d.accounts.markVerified(used.parentId)
		const account = await this.d.accounts.get(used.parentId)
		if (account) {
			await this.d.lockout.clear(`acct:${hex(this.d.emailIndex(account.email))}`)
			await this.syncFamilyEmail(account.id)
			await this.d.mail.passwordChanged(account.email)
		}
	}

	async requestEmailChange(parentId: string, newEmail: string, password: string): Promise<void> {
		const account = await this.mustGet(parentId)
		if (!(await this.d.passwords.verify(password, account.passwordHash))) {
			throw new GatewayError('UNAUTHORIZED', 'wrong password')
		}
		await this.d.links.revokeAll(parentId, 'change_email')
		const token = await this.issueLink(parentId, 'change_email', CHANGE_TTL, newEmail)
		await this.d.mail.changeEmail(newEmail, token)
	}

	async confirmEmailChange(token: string): Promise<void> {
		const used = await this.d.links.consume(tokenHash(token), 'change_email')
		if (!used?.payload) throw linkInvalid()
		const before = await this.mustGet(used.parentId)
		if (!(await this.d.accounts.setEmail(used.parentId, used.payload))) {
			throw new GatewayError('CONFLICT', 'another account already uses that address')
		}
		await this.syncFamilyEmail(used.parentId)
		await this.d.mail.emailChanged(before.email, used.payload)
	}

	async me(parentId: string): Promise<Account> {
		return this.mustGet(parentId)
	}

	private async startSession(account: Account): Promise<SignedIn> {
		const refreshToken = opaqueToken()
		const sessionId = await this.d.sessions.start(account.id, this.d.settings.refreshTokenTtlDays, tokenHash(refreshToken))
		const access = await this.d.tokens.issue({ parentId: account.id, familyId: account.familyId, role: account.role, sessionId })
		return {
			accessToken: access.token,
			refreshToken,
			expiresIn: access.expiresIn,
			csrfToken: this.d.tokens.csrfToken(sessionId),
			role: account.role,
		}
	}

	private async sendVerification(account: Account): Promise<void> {
		const token = await this.issueLink(account.id, 'verify_email', VERIFY_TTL)
		await this.d.mail.verify(account.email, token)
	}

	private async issueLink(parentId: string, purpose: 'verify_email' | 'reset_password' | 'change_email', ttl: number, payload?: string) {
		const token = opaqueToken()
		await this.d.links.issue(tokenHash(token), parentId, purpose, ttl, payload)
		return token
	}

	// Crisis alerts go to the family's address: only ever a verified one.
	private async syncFamilyEmail(parentId: string): Promise<void> {
		const account = await this.d.accounts.get(parentId)
		if (account?.familyId && account.emailVerified) await this.d.families.setParentEmail(account.familyId, account.email)
	}

	private async mustGet(parentId: string): Promise<Account> {
		const account = await this.d.accounts.get(parentId)
		if (!account) throw new GatewayError('UNAUTHORIZED', 'this account no longer exists')
		return account
	}
}

const linkInvalid = () => new GatewayError('LINK_INVALID', 'this link is unknown, already used or expired; ask for a new one')
