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

/**
 * When a turn whose answer is playing counts as stuck: the audio received so far, played from its
 * first frame in real time, plus a grace. Derived from what arrived, so it holds for any provider's
 * answer length, not only the fake's.
 */
export function playbackDeadline(firstFrameAt: number, frames: number, frameMs: number, graceMs: number): number {
	return firstFrameAt + frames * frameMs + graceMs
}

/** Why a turn went unanswered: nothing was heard, or the answer started and then never ended. */
export function unansweredKind(framesHeard: number): 'noAudio' | 'playbackOverTimeout' {
	return framesHeard === 0 ? 'noAudio' : 'playbackOverTimeout'
}

/**
 * Who answered a turn. Only the fake provider stamps its sentence, so without it (an external
 * gateway with a real provider) a turn is neither "provider" nor "cached line" but unknown.
 */
export function answerKind(stamped: boolean, providerKnown: boolean): 'provider' | 'cachedLine' | 'unknown' {
	if (!providerKnown) return 'unknown'
	return stamped ? 'provider' : 'cachedLine'
}

/** Frames missing from a complete answer of known length; null when the length is not known. */
export function framesMissing(expectedMs: number | null, frameMs: number, frames: number): number | null {
	if (expectedMs === null) return null
	return Math.max(0, Math.ceil(expectedMs / frameMs) - frames)
}

/** KiB per connection over one fresh-start baseline; null without a baseline or connections. */
export function perConnectionKiB(baselineKiB: number | null, endKiB: number | null, connections: number): number | null {
	if (baselineKiB === null || endKiB === null || connections <= 0) return null
	return Math.round((10 * (endKiB - baselineKiB)) / connections) / 10
}

/**
 * Toys per core: the largest fleet that held, over the cores the gateway used. With the load
 * generator sharing those cores, its CPU (% of one core) is taken out of them first.
 */
export function toysPerCore(toys: number, gatewayCores: number, sharedGeneratorCpuPercent: number | null): number | null {
	const cores = gatewayCores - (sharedGeneratorCpuPercent ?? 0) / 100
	if (toys <= 0 || cores <= 0) return null
	return Math.round(toys / cores)
}

/** Scaling efficiency of k processes: toys per core at k over toys per core at 1 (1 = perfect). */
export function scalingEfficiency(perCoreAt1: number | null, perCoreAtK: number | null): number | null {
	if (!perCoreAt1 || perCoreAtK === null) return null
	return Math.round((100 * perCoreAtK) / perCoreAt1) / 100
}
