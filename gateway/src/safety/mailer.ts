// Parent alert email through nodemailer, only when SMTP_URL is set. Loaded lazily so a gateway
// without SMTP never imports it.

export interface Mail {
	to: string
	subject: string
	text: string
}

export interface Mailer {
	send(mail: Mail): Promise<void>
	close?(): void
}

export async function createSmtpMailer(url: string, from: string): Promise<Mailer> {
	const nodemailer = await import('nodemailer')
	// ? Short timeouts: alerts are sent in the background, but a hung server must not pile them up.
	const u = new URL(url)
	const secure = u.protocol === 'smtps:'
	const transport = nodemailer.createTransport({
		host: u.hostname,
		port: u.port ? Number(u.port) : secure ? 465 : 587,
		secure,
		auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
		connectionTimeout: 10_000,
		greetingTimeout: 10_000,
		socketTimeout: 20_000,
	})
	return {
		async send(mail) {
			await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text })
		},
		close: () => transport.close(),
	}
}
