// Stops sending toys to an upstream that keeps failing. After `failureThreshold` failed turns in a
// row the circuit opens and turns go to the fallback at once (no child waits out a timeout per
// turn); after `cooldownMs` one probe turn is let through, and its outcome closes or re-opens it.
// The safety layer's moderation and policy checks call the same upstream and share the circuit:
// while it is open they are not made, and their timeouts and server errors count as failures.

export type CircuitState = 'closed' | 'open' | 'half-open'

export interface CircuitBreakerOptions {
	failureThreshold?: number
	cooldownMs?: number
	now?: () => number
	onChange?: (state: CircuitState) => void
}

export class CircuitBreaker {
	private current: CircuitState = 'closed'
	private failures = 0
	private openedAt = 0
	private probing = false
	private readonly threshold: number
	private readonly cooldownMs: number
	private readonly now: () => number
	private readonly onChange: ((state: CircuitState) => void) | undefined

	constructor(opts: CircuitBreakerOptions = {}) {
		this.threshold = opts.failureThreshold ?? 3
		this.cooldownMs = opts.cooldownMs ?? 15_000
		this.now = opts.now ?? Date.now
		this.onChange = opts.onChange
	}

	get state(): CircuitState {
		return this.current
	}

	/** Open and still cooling down: nothing should call the upstream now. Never starts a probe. */
	get blocked(): boolean {
		return this.current === 'open' && this.now() - this.openedAt < this.cooldownMs
	}

	/** May this turn use the upstream? In half-open, only one probe at a time may. */
	allow(): boolean {
		if (this.current === 'closed') return true
		if (this.current === 'open') {
			if (this.now() - this.openedAt < this.cooldownMs) return false
			this.set('half-open')
		}
		if (this.probing) return false
		this.probing = true
		return true
	}

	success(): void {
		this.failures = 0
		this.probing = false
		this.set('closed')
	}

	failure(): void {
		this.probing = false
		this.failures++
		if (this.current === 'half-open' || this.failures >= this.threshold) {
			this.openedAt = this.now()
			this.set('open')
		}
	}

	/** The turn ended without telling us anything (the child interrupted): let another probe go. */
	release(): void {
		this.probing = false
	}

	private set(state: CircuitState): void {
		if (state === this.current) return
		this.current = state
		this.onChange?.(state)
	}
}
