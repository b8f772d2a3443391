// A tiny SMTP sink on loopback for the mail tests (parent alerts, account links): enough of
// RFC 5321 for nodemailer (no TLS, no auth), keeping each message's envelope and data.

export interface SinkMessage {
	from: string
	to: string[]
	data: string
}

export interface SmtpSink {
	url: string
	messages: SinkMessage[]
	/** The first message to `to` whose body matches, waiting up to `timeoutMs`. */
	waitFor(to: string, match?: RegExp, timeoutMs?: number): Promise<SinkMessage>
	stop(): void
}

/** The body of a message as text: headers dropped, quoted-printable soft breaks and escapes undone. */
export function bodyOf(m: SinkMessage): string {
	const split = m.data.indexOf('\r\n\r\n')
	const headers = split >= 0 ? m.data.slice(0, split) : ''
	let body = split >= 0 ? m.data.slice(split + 4) : m.data
	if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) {
		body = body.replace(/=\r\n/g, '')
		body = Buffer.from(body.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))), 'latin1').toString('utf8')
	}
	return body.replace(/\r\n/g, '\n')
}

/** The first link in a message under `prefix`, e.g. the app's verify-email page. */
export function linkIn(m: SinkMessage, prefix: string): URL {
	const body = bodyOf(m)
	const at = body.indexOf(prefix)
	if (at < 0) throw new Error(`no link under ${prefix} in:\n${body}`)
	return new URL(/^\S+/.exec(body.slice(at))![0])
}

export function startSmtpSink(): SmtpSink {
	const messages: SinkMessage[] = []
	type State = { buf: string; inData: boolean; from: string; to: string[]; data: string }
	const server = Bun.listen<State>({
		hostname: '127.0.0.1',
		port: 0,
		socket: {
			open(s) {
				s.data = { buf: '', inData: false, from: '', to: [], data: '' }
				s.write('220 sink ESMTP\r\n')
			},
			data(s, chunk) {
				const st = s.data
				st.buf += new TextDecoder().decode(chunk)
				for (;;) {
					if (st.inData) {
						const end = st.buf.indexOf('\r\n.\r\n')
						if (end < 0) return
						st.data += st.buf.slice(0, end)
						st.buf = st.buf.slice(end + 5)
						messages.push({ from: st.from, to: st.to, data: st.data })
						st.inData = false
						st.to = []
						st.data = ''
						s.write('250 queued\r\n')
						continue
					}
					const eol = st.buf.indexOf('\r\n')
					if (eol < 0) return
					const line = st.buf.slice(0, eol)
					st.buf = st.buf.slice(eol + 2)
					const verb = line.slice(0, 4).toUpperCase()
					if (verb === 'EHLO') s.write('250-sink\r\n250 8BITMIME\r\n')
					else if (verb === 'MAIL') {
						st.from = line.slice(10)
						s.write('250 ok\r\n')
					} else if (verb === 'RCPT') {
						st.to.push(line.slice(8))
						s.write('250 ok\r\n')
					} else if (verb === 'DATA') {
						st.inData = true
						s.write('354 go on\r\n')
					} else if (verb === 'QUIT') {
						s.write('221 bye\r\n')
						s.end()
						return
					} else s.write('250 ok\r\n')
				}
			},
		},
	})
	async function waitFor(to: string, match?: RegExp, timeoutMs = 10_000): Promise<SinkMessage> {
		const deadline = Date.now() + timeoutMs
		for (;;) {
			const found = messages.find((m) => m.to.some((t) => t.includes(to)) && (!match || match.test(bodyOf(m))))
			if (found) return found
			if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${match} in ${timeoutMs} ms; have ${messages.length}`)
			await Bun.sleep(20)
		}
	}
	return { url: `smtp://127.0.0.1:${server.port}`, messages, waitFor, stop: () => server.stop(true) }
}
