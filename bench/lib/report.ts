// Shared by the micro-benchmarks: what machine and commit a figure came from, a median timer,
// and the JSON + Markdown files each bench writes under bench/results/.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join, relative } from 'node:path'

export interface Machine {
	cpu: string
	cores: number
	bun: string
	platform: string
	commit: string
	date: string
	/** CPU busy (all cores, %) over the half second before the bench: above ~20, other work shared the cores. */
	busyAtStart: number | null
	/** 1, 5 and 15 minute load averages at the start. */
	loadavg: number[]
}

export const RESULTS_DIR = join(import.meta.dir, '..', 'results')

function cpuModel(): string {
	try {
		const line = readFileSync('/proc/cpuinfo', 'utf8')
			.split('\n')
			.find((l) => l.startsWith('model name'))
		return line?.split(':')[1]?.trim() ?? 'unknown'
	} catch {
		return 'unknown'
	}
}

function commit(): string {
	const r = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD'], { cwd: import.meta.dir })
	const dirty = Bun.spawnSync(['git', 'status', '--porcelain', '--untracked-files=no'], { cwd: import.meta.dir })
	const id = r.success ? r.stdout.toString().trim() : 'unknown'
	// ? A figure measured on uncommitted code is not reproducible from the id alone; say so.
	return dirty.success && dirty.stdout.length > 0 ? `${id}-dirty` : id
}

// ? The load average lags by a minute; /proc/stat over a short window says whether someone else
//   is using the cores right now.
function cpuTimes(): number[] | null {
	try {
		return readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number)
	} catch {
		return null
	}
}

function busyPercent(): number | null {
	const a = cpuTimes()
	Bun.sleepSync(500)
	const b = cpuTimes()
	if (!a || !b) return null
	const d = b.map((v, i) => v - a[i])
	const total = d.reduce((x, y) => x + y, 0)
	return total > 0 ? Math.round((100 * (total - d[3] - d[4])) / total) : null
}

export function loadAverages(): number[] {
	return loadavg().map((l) => Math.round(l * 100) / 100)
}

/** How this bench was started, as one would type it from the repository root. */
export function commandLine(): string {
	const root = join(import.meta.dir, '..', '..')
	return ['bun', ...process.argv.slice(1).map((a) => (a.startsWith('/') ? relative(root, a) : a))].join(' ')
}

export function machine(): Machine {
	return {
		cpu: cpuModel(),
		cores: availableParallelism(),
		bun: Bun.version,
		platform: `${process.platform}-${process.arch}`,
		commit: commit(),
		date: new Date().toISOString(),
		busyAtStart: busyPercent(),
		loadavg: loadAverages(),
	}
}

export interface Spread {
	n: number
	median: number
	min: number
	max: number
	/** First and third quartiles (linear interpolation). */
	q1: number
	q3: number
}

/** Median, range and quartiles of repeated measurements. */
export function spread(xs: readonly number[]): Spread {
	if (xs.length === 0) throw new Error('spread of no measurements')
	const s = [...xs].sort((a, b) => a - b)
	const q = (p: number) => {
		const at = p * (s.length - 1)
		const lo = Math.floor(at)
		return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo)
	}
	return { n: s.length, median: q(0.5), min: s[0], max: s[s.length - 1], q1: q(0.25), q3: q(0.75) }
}

export type Cell = string | number | null | undefined

/** A Markdown table; numbers get `digits` decimals, null/undefined show as "—". */
export function markdownTable(header: readonly string[], rows: readonly Cell[][], digits = 1): string {
	const fmt = (c: Cell) => (c === null || c === undefined ? '—' : typeof c === 'number' ? c.toFixed(digits) : c)
	const lines = [
		`| ${header.join(' | ')} |`,
		`|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
		...rows.map((r) => `| ${r.map(fmt).join(' | ')} |`),
	]
	return `${lines.join('\n')}\n`
}

export function machineLine(m: Machine): string {
	return `${m.cpu}, ${m.cores} cores, Bun ${m.bun}, ${m.platform}, commit ${m.commit}, ${m.date}, CPU ${m.busyAtStart ?? '?'}% busy at start`
}

/** Writes `<name>.json` and `<name>.md` into bench/results/ and returns their paths. */
export function writeResults(name: string, json: unknown, markdown: string): string[] {
	mkdirSync(RESULTS_DIR, { recursive: true })
	const paths = [join(RESULTS_DIR, `${name}.json`), join(RESULTS_DIR, `${name}.md`)]
	writeFileSync(paths[0], `${JSON.stringify(json, null, 2)}\n`)
	writeFileSync(paths[1], markdown)
	return paths
}
