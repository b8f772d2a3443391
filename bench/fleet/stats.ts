// Percentiles over raw samples. Samples travel from the workers as plain arrays (a few hundred
// thousand numbers at most), so the merge is exact rather than a histogram approximation.

export interface Summary {
	n: number
	p50: number | null
	p95: number | null
	p99: number | null
	max: number | null
	mean: number | null
}

export function summarize(samples: readonly number[]): Summary {
	if (samples.length === 0) return { n: 0, p50: null, p95: null, p99: null, max: null, mean: null }
	const s = Float64Array.from(samples).sort()
	const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]
	let sum = 0
	for (const v of s) sum += v
	const r = (v: number) => Math.round(v * 100) / 100
	return { n: s.length, p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(s[s.length - 1]), mean: r(sum / s.length) }
}

/** Subtracts a constant (e.g. the provider's fixed latency) from every figure of a summary. */
export function shift(s: Summary, by: number): Summary {
	const f = (v: number | null) => (v === null ? null : Math.round((v - by) * 100) / 100)
	return { n: s.n, p50: f(s.p50), p95: f(s.p95), p99: f(s.p99), max: f(s.max), mean: f(s.mean) }
}
