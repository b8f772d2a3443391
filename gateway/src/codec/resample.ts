// Streaming band-limited resampler (polyphase windowed sinc, Kaiser window).
// State carries across calls, so a stream cut into frames has no clicks at the edges.
// Filter tables are built once per rate pair and shared by every stream.

const HALF_TAPS = 24 // taps each side of centre: ~80 dB stopband with beta 8
const KAISER_BETA = 8
const CUTOFF = 0.92 // of the lower Nyquist: keeps 6 kHz at 16 kHz output, rejects aliasing

function gcd(a: number, b: number): number {
	while (b) [a, b] = [b, a % b]
	return a
}

function besselI0(x: number): number {
	let sum = 1
	let term = 1
	for (let k = 1; k < 50; k++) {
		term *= (x / (2 * k)) ** 2
		sum += term
		if (term < 1e-12 * sum) break
	}
	return sum
}

interface Table {
	up: number // L: output steps per input period
	down: number // M: input steps per output period
	taps: number
	coeffs: Float32Array // phase-major: coeffs[phase * taps + j]
}

const tables = new Map<string, Table>()

function table(inRate: number, outRate: number): Table {
	const key = `${inRate}:${outRate}`
	const cached = tables.get(key)
	if (cached) return cached
	const g = gcd(inRate, outRate)
	const up = outRate / g
	const down = inRate / g
	const fc = Math.min(1, up / down) * CUTOFF // relative to input Nyquist
	const taps = 2 * Math.ceil(HALF_TAPS / Math.min(1, up / down))
	const half = taps / 2
	const coeffs = new Float32Array(up * taps)
	const i0b = besselI0(KAISER_BETA)
	for (let p = 0; p < up; p++) {
		const frac = p / up
		let sum = 0
		for (let j = 0; j < taps; j++) {
			const d = j - (half - 1) - frac // distance in input samples from the output instant
			const x = d / half
			const w = Math.abs(x) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / i0b
			const s = d === 0 ? 1 : Math.sin(Math.PI * fc * d) / (Math.PI * fc * d)
			const c = fc * s * w
			coeffs[p * taps + j] = c
			sum += c
		}
		// Normalise each phase to unity DC gain so a constant signal stays constant.
		for (let j = 0; j < taps; j++) coeffs[p * taps + j] /= sum
	}
	const t: Table = { up, down, taps, coeffs }
	tables.set(key, t)
	return t
}

export class Resampler {
	private readonly t: Table
	private buf: Float32Array
	private len: number // valid samples in buf
	private base = 0 // input index (within buf) of the next output's integer position
	private phase = 0 // next output's fractional position, in 1/up steps

	constructor(
		readonly inRate: number,
		readonly outRate: number,
	) {
		if (!(inRate > 0 && outRate > 0 && Number.isInteger(inRate) && Number.isInteger(outRate))) {
			throw new RangeError(`invalid sample rates: ${inRate} → ${outRate}`)
		}
		this.t = table(inRate, outRate)
		// Prime with half a filter of silence so the first output sample is centred on input 0.
		this.buf = new Float32Array(4096)
		this.len = this.t.taps / 2 - 1
	}

	/** Output samples the next `process` of `inputSamples` samples may return, at most. */
	maxOutput(inputSamples: number): number {
		return Math.ceil(((this.len - this.base + inputSamples) * this.t.up) / this.t.down) + 1
	}

	/** Resamples `input` and returns the output produced so far (shorter by the filter delay at first). */
	process(input: Int16Array): Int16Array {
		this.append(input)
		const { up, down, taps, coeffs } = this.t
		const out = new Int16Array(this.maxOutput(0))
		let n = 0
		const buf = this.buf
		while (this.base + taps <= this.len) {
			const off = this.phase * taps
			let acc = 0
			for (let j = 0; j < taps; j++) acc += buf[this.base + j] * coeffs[off + j]
			out[n++] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc)
			this.phase += down
			this.base += Math.floor(this.phase / up)
			this.phase %= up
		}
		this.compact()
		return out.subarray(0, n)
	}

	/** Pushes the filter's tail out at the end of a stream. */
	flush(): Int16Array {
		const tail = this.process(new Int16Array(this.t.taps))
		this.reset()
		return tail
	}

	reset(): void {
		this.len = this.t.taps / 2 - 1
		this.buf.fill(0, 0, this.len)
		this.base = 0
		this.phase = 0
	}

	private append(input: Int16Array): void {
		if (this.len + input.length > this.buf.length) {
			const grown = new Float32Array(Math.max(this.buf.length * 2, this.len + input.length))
			grown.set(this.buf.subarray(0, this.len))
			this.buf = grown
		}
		for (let i = 0; i < input.length; i++) this.buf[this.len + i] = input[i]
		this.len += input.length
	}

	private compact(): void {
		if (this.base === 0) return
		this.buf.copyWithin(0, this.base, this.len)
		this.len -= this.base
		this.base = 0
	}
}

/** Whole-buffer convenience wrapper for one-off conversions (cached lines, tests). */
export function resample(pcm: Int16Array, inRate: number, outRate: number): Int16Array {
	if (inRate === outRate) return pcm
	const r = new Resampler(inRate, outRate)
	const head = r.process(pcm)
	const tail = r.flush()
	const expected = Math.round((pcm.length * outRate) / inRate)
	const out = new Int16Array(expected)
	out.set(head.subarray(0, expected))
	if (head.length < expected) out.set(tail.subarray(0, expected - head.length), head.length)
	return out
}
