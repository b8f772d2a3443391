// A one-producer, one-consumer queue that lets the chat stream keep reading while the previous
// sentence is being spoken. The producer's failure is delivered to the consumer in order.

export class AsyncQueue<T> {
	private readonly items: T[] = []
	private waiting: (() => void) | undefined
	private done = false
	private failure: { error: unknown } | undefined

	push(item: T): void {
		this.items.push(item)
		this.wake()
	}

	end(): void {
		this.done = true
		this.wake()
	}

	fail(error: unknown): void {
		this.failure = { error }
		this.done = true
		this.wake()
	}

	/** The next item, or undefined once ended; throws the producer's error after the items before it. */
	async next(): Promise<T | undefined> {
		while (this.items.length === 0 && !this.done) {
			await new Promise<void>((resolve) => {
				this.waiting = resolve
			})
		}
		if (this.items.length > 0) return this.items.shift()
		if (this.failure) throw this.failure.error
		return undefined
	}

	private wake(): void {
		const w = this.waiting
		this.waiting = undefined
		w?.()
	}
}
