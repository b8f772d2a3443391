// A latency histogram cheap enough for the per-frame path: fixed buckets, plain counts, observe()
// is a few comparisons and one increment. prom-client reads it at scrape time through get(), so
// the exposition format is still prom-client's own (registered with Registry.registerMetric).

export interface HistogramSummary {
	count: number
	/** Milliseconds; upper bounds of the buckets the quantile falls in (null before any sample). */
	p50: number | null
	p95: number | null
	p99: number | null
	mean: number | null
}

export class LatencyHistogram {
	readonly type = 'histogram'
	readonly aggregator = 'sum'
	private readonly counts: Float64Array
	private sumMs = 0
	private total = 0

	constructor(
		readonly name: string,
		readonly help: string,
		/** Upper bounds in milliseconds, ascending; exposed in seconds (Prometheus' unit). */
		private readonly boundsMs: readonly number[],
	) {
		this.counts = new Float64Array(boundsMs.length + 1)
	}

	observe(ms: number): void {
		const b = this.boundsMs
		let i = 0
		while (i < b.length && ms > b[i]) i++
		this.counts[i]++
		this.sumMs += ms
		this.total++
	}

	/** prom-client's metric shape: cumulative buckets, sum and count. */
	get() {
		const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = []
		let cumulative = 0
		for (let i = 0; i < this.boundsMs.length; i++) {
			cumulative += this.counts[i]
			values.push({ metricName: `${this.name}_bucket`, labels: { le: this.boundsMs[i] / 1000 }, value: cumulative })
		}
		values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf' }, value: this.total })
		values.push({ metricName: `${this.name}_sum`, labels: {}, value: this.sumMs / 1000 })
		values.push({ metricName: `${this.name}_count`, labels: {}, value: this.total })
		return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
	}

	summary(): HistogramSummary {
		return {
			count: this.total,
			p50: this.quantile(0.5),
			p95: this.quantile(0.95),
			p99: this.quantile(0.99),
			mean: this.total > 0 ? Math.round((this.sumMs / this.total) * 100) / 100 : null,
		}
	}

	private quantile(q: number): number | null {
		if (this.total === 0) return null
		const rank = q * this.total
		let cumulative = 0
		for (let i = 0; i < this.counts.length; i++) {
			cumulative += this.counts[i]
			// ? Past the last bound the figure is "more than" it: report the last bound.
			if (cumulative >= rank) return this.boundsMs[Math.min(i, this.boundsMs.length - 1)]
		}
		return this.boundsMs[this.boundsMs.length - 1]
	}
}

/** Buckets for stages measured in milliseconds (1 ms … 10 s). */
export const STAGE_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000]
/** Buckets for the per-frame pacing lateness (one 10 ms pacer tick … several frames). */
export const PACING_BUCKETS_MS = [1, 5, 10, 20, 40, 60, 120, 250, 500, 1000]
