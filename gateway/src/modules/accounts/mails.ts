import { GatewayError } from '../../errors'
import type { Logger } from '../../obs/logger'
import type { Mailer } from '../../safety/mailer'

// The mails of the parent side. Every link points into the parent app (PUBLIC_APP_URL), which reads
// the token from the link and posts it to the API; a mail scanner that follows a link changes
// nothing. No child's words ever go into a mail.

export interface AccountMailOptions {
	mailer?: Mailer
	publicAppUrl: string
	/** Without SMTP a development gateway logs links so a developer can follow them; production refuses. */
	production: boolean
	log: Logger
}

export class AccountMail {
	constructor(private readonly o: AccountMailOptions) {}

	link(path: string, token: string): string {
		return `${this.o.publicAppUrl}/${path}?token=${encodeURIComponent(token)}`
	}

	verify(to: string, token: string): Promise<void> {
		return this.send(to, 'Teddy: confirm your email address', [
			'Welcome to Teddy! Confirm that this is your address to finish creating your parent account:',
			this.link('verify-email', token),
			'The link works once, for 24 hours. If you did not sign up, ignore this mail.',
		])
	}

	alreadyRegistered(to: string): Promise<void> {
		return this.send(to, 'Teddy: someone tried to sign up with your address', [
			'Someone (perhaps you) tried to create a Teddy parent account with this address, which already has one.',
			`If it was you, sign in, or reset your password at ${this.o.publicAppUrl}/forgot-password.`,
			'If it was not you, you need not do anything.',
		])
	}

	reset(to: string, token: string): Promise<void> {
		return this.send(to, 'Teddy: reset your password', [
			'Someone asked to reset the password of your Teddy parent account. To choose a new one:',
			this.link('reset-password', token),
			'The link works once, for one hour. If you did not ask, ignore this mail: your password stays as it is.',
		])
	}

	passwordChanged(to: string): Promise<void> {
		return this.send(to, 'Teddy: your password was changed', [
			'The password of your Teddy parent account was just changed, and every signed-in device was signed out.',
			'If this was not you, reset your password now and contact support.',
		])
	}

	changeEmail(to: string, token: string): Promise<void> {
		return this.send(to, 'Teddy: confirm your new email address', [
			'Confirm that your Teddy parent account should use this address from now on:',
			this.link('confirm-email', token),
			'The link works once, for 24 hours. If you did not ask for this, ignore this mail.',
		])
	}

	emailChanged(to: string, newAddress: string): Promise<void> {
		return this.send(to, 'Teddy: your email address was changed', [
			`Your Teddy parent account now uses ${maskEmail(newAddress)}. Mails will no longer come to this address.`,
			'If this was not you, contact support at once.',
		])
	}

	consent(to: string, token: string, childFirstName: string, thirdParty: boolean): Promise<void> {
		return this.send(to, `Teddy: confirm your consent for ${childFirstName}`, [
			`You asked to let Teddy talk with ${childFirstName}${thirdParty ? ', using an outside AI service to understand and answer' : ''}.`,
			'As the law asks for children under 13, please confirm this consent by opening the link below. Until you do, the toy will not talk with your child.',
			this.link('confirm-consent', token),
			'The link works once, for 48 hours. You can withdraw consent at any time in the app; the toy then stops at once.',
		])
	}

	private async send(to: string, subject: string, paragraphs: string[]): Promise<void> {
		const text = paragraphs.join('\n\n')
		if (!this.o.mailer) {
			if (this.o.production) throw new GatewayError('INTERNAL', 'email is not configured on this gateway (SMTP_URL)')
			// ! Development only: without SMTP a developer has no other way to follow the link. Only the
			// links are logged: subjects and bodies may name a child.
			const links = text.match(/https?:\/\/\S+/g) ?? []
			this.o.log.warn({ links }, 'SMTP_URL is not set: account mail not sent; its links are logged instead (development only)')
			return
		}
		await this.o.mailer.send({ to, subject, text })
	}
}

/** p***@example.com: enough for the owner to recognise, little for anyone else. */
export function maskEmail(email: string): string {
	const at = email.lastIndexOf('@')
	if (at < 1) return '***'
	return `${email[0]}***${email.slice(at)}`
}
