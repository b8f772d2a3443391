// Reads the Prometheus text exposition format the way a scraper does: one sample per line,
// `name{label="value",...} number`, comments skipped. Independent of prom-client on purpose.

export interface Sample {
	name: string
	labels: Record<string, string>
	value: number
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parsePrometheus(text: string): Sample[] {
	const out: Sample[] = []
	for (const raw of text.split('\n')) {
		const line = raw.trim()
		if (!line || line.startsWith('#')) continue
		const m = LINE.exec(line)
		if (!m) throw new Error(`not a Prometheus sample: ${line}`)
		const labels: Record<string, string> = {}
		for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2]
		const value = m[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[3])
		if (Number.isNaN(value)) throw new Error(`not a number: ${line}`)
		out.push({ name: m[1], labels, value })
	}
	return out
}

/** The value of the one sample with this name and these labels (undefined when absent). */
export function sample(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
	return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
}
