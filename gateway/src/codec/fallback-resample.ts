import { Resampler as TsResampler } from './resample'
import { CodecError, type Resampler } from './types'

// The TypeScript resampler behind the Codec's output-buffer API. The session's downlink uses
// resample.ts directly; this adapter gives fallback gateways the same interface as native ones.
// ? It copies out of the array `process` returns: the fallback trades that allocation for
//   leaving resample.ts's public API untouched.

const HALF_TAPS = 24 // as in resample.ts; only used to bound what flush writes
const MAX_PHASES = 4096 // as in native/core/src/resample.rs, so both codecs refuse the same rates

function gcd(a: number, b: number): number {
	while (b) [a, b] = [b, a % b]
	return a
}

export function checkResampleRates(inRate: number, outRate: number): void {
	const ok = (r: number) => Number.isInteger(r) && r >= 1000 && r <= 384_000
	if (!ok(inRate) || !ok(outRate) || outRate / gcd(inRate, outRate) > MAX_PHASES) {
		throw new CodecError(
			`invalid resampling ${inRate} Hz -> ${outRate} Hz: rates must be 1000..=384000 Hz and their ratio reduce to at most ${MAX_PHASES} output steps`,
		)
	}
}

export class FallbackResampler implements Resampler {
	private readonly inner: TsResampler
	private readonly taps: number

	constructor(inRate: number, outRate: number) {
		checkResampleRates(inRate, outRate)
		this.inner = new TsResampler(inRate, outRate)
		this.taps = 2 * Math.ceil(HALF_TAPS / Math.min(1, outRate / inRate))
	}

	process(input: Int16Array, output: Int16Array): number {
		this.fits(output, this.inner.maxOutput(input.length))
		const out = this.inner.process(input)
		output.set(out)
		return out.length
	}

	flush(output: Int16Array): number {
		this.fits(output, this.maxFlush())
		const out = this.inner.flush()
		output.set(out)
		return out.length
	}

	reset(): void {
		this.inner.reset()
	}

	maxOutput(inputLen: number): number {
		return this.inner.maxOutput(inputLen)
	}

	maxFlush(): number {
		return this.inner.maxOutput(this.taps)
	}

	private fits(output: Int16Array, needed: number): void {
		if (output.length < needed) {
			throw new CodecError(`resampler output buffer too small: ${output.length} available, ${needed} needed (size it with maxOutput)`)
		}
	}
}
