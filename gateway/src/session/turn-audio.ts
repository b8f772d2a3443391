// One turn's audio, collected in place: each frame is copied into a buffer that grows by doubling
// rather than becoming an array of its own. A turn of 60 ms frames used to make ~50 small arrays
// (PCM and packet) that lived as long as the turn: long enough to survive the young generation,
// so under load they filled the old one, whose full collections paused every toy's session for
// 30-50 ms at 200 toys (README, Performance). A buffer is dropped with its turn (take, clear) and
// never written again, so views handed out stay valid and an idle toy holds none.

const NO_PCM = new Int16Array(0)
const NO_BYTES = new Uint8Array(0)

/** A turn's PCM, back to back. */
export class TurnPcm {
	private buf = NO_PCM
	private fill = 0

	/** `initial`: samples the first frame makes room for (a typical turn, so it seldom grows). */
	constructor(private readonly initial: number) {}

	get length(): number {
		return this.fill
	}

	/** Appends `pcm` and returns the appended samples, as a view that stays valid. */
	push(pcm: Int16Array): Int16Array {
		const at = this.fill
		this.reserve(at + pcm.length)
		this.buf.set(pcm, at)
		this.fill = at + pcm.length
		return this.buf.subarray(at, this.fill)
	}

	/** Puts `pcm` in front of what is collected. */
	prepend(pcm: Int16Array): void {
		if (pcm.length === 0) return
		const out = new Int16Array(Math.max(this.initial, pcm.length + this.fill))
		out.set(pcm)
		out.set(this.buf.subarray(0, this.fill), pcm.length)
		this.buf = out
		this.fill += pcm.length
	}

	/** Everything collected (a view, no copy), and a clean slate. */
	take(): Int16Array {
		const out = this.buf.subarray(0, this.fill)
		this.clear()
		return out
	}

	clear(): void {
		this.buf = NO_PCM
		this.fill = 0
	}

	private reserve(need: number): void {
		if (need <= this.buf.length) return
		const grown = new Int16Array(Math.max(need, this.initial, this.buf.length * 2))
		grown.set(this.buf.subarray(0, this.fill))
		this.buf = grown
	}
}

/** A turn's Opus packets, their bytes back to back. */
export class TurnPackets {
	private bytes = NO_BYTES
	private fill = 0
	private readonly ends: number[] = []
	/** Packets put in front (prepend), kept as they came. */
	private before: Uint8Array[] = []

	/** `initial`: bytes the first packet makes room for. */
	constructor(private readonly initial: number) {}

	get count(): number {
		return this.before.length + this.ends.length
	}

	push(packet: Uint8Array): void {
		const need = this.fill + packet.length
		if (need > this.bytes.length) {
			const grown = new Uint8Array(Math.max(need, this.initial, this.bytes.length * 2))
			grown.set(this.bytes.subarray(0, this.fill))
			this.bytes = grown
		}
		this.bytes.set(packet, this.fill)
		this.fill = need
		this.ends.push(need)
	}

	prepend(packets: readonly Uint8Array[]): void {
		if (packets.length > 0) this.before = [...packets, ...this.before]
	}

	/** Every packet (views into one buffer, no copies), and a clean slate. */
	take(): Uint8Array[] {
		const out = this.before
		let from = 0
		for (const end of this.ends) {
			out.push(this.bytes.subarray(from, end))
			from = end
		}
		this.clear()
		return out
	}

	clear(): void {
		this.bytes = NO_BYTES
		this.fill = 0
		this.ends.length = 0
		this.before = []
	}
}
