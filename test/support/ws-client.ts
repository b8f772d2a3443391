// A recording WebSocket client for e2e tests: keeps every message and the close event, and lets
// a test wait for a message matching a predicate or for the close.

export interface Closed {
	code: number
	reason: string
}

export class TestSocket {
	readonly messages: Array<Record<string, unknown>> = []
	/** performance.now() when each of `messages` arrived. */
	readonly binary: Uint8Array[] = []
	/** Arrival time (performance.now()) of each entry of `messages` and `binary`. */
	readonly messageTimes: number[] = []
	readonly binaryTimes: number[] = []
	readonly opened: Promise<void>
	readonly closed: Promise<Closed>
	private readonly ws: WebSocket
	private waiters: Array<() => void> = []

	constructor(url: string, headers?: Record<string, string>) {
		// Bun's WebSocket accepts headers as a second-argument option.
		this.ws = new WebSocket(url, headers ? ({ headers } as unknown as string[]) : undefined)
		this.ws.binaryType = 'arraybuffer'
		this.opened = new Promise((resolve, reject) => {
			this.ws.addEventListener('open', () => resolve())
			this.ws.addEventListener('error', () => reject(new Error(`could not open ${url}`)))
		})
		this.closed = new Promise((resolve) => {
			this.ws.addEventListener('close', (e) => {
				resolve({ code: e.code, reason: e.reason })
				this.wake()
			})
		})
		this.ws.addEventListener('message', (e) => {
			if (typeof e.data === 'string') {
				this.messages.push(JSON.parse(e.data))
				this.messageTimes.push(performance.now())
			} else {
				this.binary.push(new Uint8Array(e.data as ArrayBuffer))
				this.binaryTimes.push(performance.now())
			}
			this.wake()
		})
	}

	send(data: string | object | Uint8Array): void {
		this.ws.send(typeof data === 'string' || data instanceof Uint8Array ? data : JSON.stringify(data))
	}

	close(code = 1000): void {
		this.ws.close(code)
	}

	get readyState(): number {
		return this.ws.readyState
	}

	async waitFor(pred: (m: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
		const deadline = Date.now() + timeoutMs
		for (;;) {
			const found = this.messages.find(pred)
			if (found) return found
			if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed; got ${JSON.stringify(this.messages)}`)
			const left = deadline - Date.now()
			if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.messages).slice(0, 2000)}`)
			await new Promise<void>((resolve) => {
				const t = setTimeout(resolve, left)
				this.waiters.push(() => {
					clearTimeout(t)
					resolve()
				})
			})
		}
	}

	private wake(): void {
		const w = this.waiters
		this.waiters = []
		for (const f of w) f()
	}
}
