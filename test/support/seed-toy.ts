import { seedUrl, v2Token } from './seed-url'
import { TestSocket } from './ws-client'

// A seed-json toy that stays connected and types its turns (`{type:"text"}`), so a test can hold a
// good toy's session open while something else attacks, then check it still gets answers.

export interface SeedChildQuery {
	child_id: string
	child_name: string
	child_age: number
}

export class SeedToy {
	private constructor(readonly socket: TestSocket) {}

	static async connect(wsBase: string, deviceId: string, child: SeedChildQuery): Promise<SeedToy> {
		const s = new TestSocket(seedUrl(wsBase, { device_id: deviceId, token: v2Token(deviceId), ...child }))
		await s.opened
		return new SeedToy(s)
	}

	/** Says `text` and waits for the whole answer (the `final` piece); returns the answer's sentences. */
	async say(text: string, timeoutMs = 20_000): Promise<string[]> {
		const before = this.socket.messages.length
		this.socket.send({ type: 'text', text })
		const isFinal = (m: Record<string, unknown>) => m.type === 'audio_response' && m.final === true
		await this.socket.waitFor((m) => isFinal(m) && this.socket.messages.indexOf(m) >= before, timeoutMs)
		return this.socket.messages
			.slice(before)
			.filter((m) => m.type === 'audio_response' && typeof m.text === 'string' && m.text !== '')
			.map((m) => m.text as string)
	}

	/** True while the gateway has not closed this toy's socket. */
	get open(): boolean {
		return this.socket.readyState === WebSocket.OPEN
	}

	close(): void {
		this.socket.close()
	}
}

/** Polls `check` until it returns true (database writes land after the answer is spoken). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
	const deadline = Date.now() + timeoutMs
	while (Date.now() < deadline) {
		if (await check()) return true
		await Bun.sleep(50)
	}
	return check()
}
