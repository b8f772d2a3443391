// A tiny SMTP sink on loopback for the parent-alert email test: enough of RFC 5321 for nodemailer
// (no TLS, no auth), keeping each message's envelope and data.

export interface SinkMessage {
	from: string
	to: string[]
	data: string
}

export interface SmtpSink {
	url: string
	messages: SinkMessage[]
	stop(): void
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
	return { url: `smtp://127.0.0.1:${server.port}`, messages, stop: () => server.stop(true) }
}
