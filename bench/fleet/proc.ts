// What the kernel says a process costs: CPU time (utime+stime) from /proc/<pid>/stat, resident
// memory (VmRSS) from /proc/<pid>/status, bytes through read/write calls from /proc/<pid>/io.

import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100 // getconf CLK_TCK on Linux

export interface ProcSample {
	at: number
	cpuSeconds: number
	rssKiB: number
	/** Bytes read/written by the process's syscalls (sockets included); null if /proc/<pid>/io is unreadable. */
	rchar: number | null
	wchar: number | null
}

export function sampleProc(pid: number): ProcSample | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
		// Fields after the parenthesised command name; utime and stime are fields 14 and 15.
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
		const cpuSeconds = (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND
		const status = readFileSync(`/proc/${pid}/status`, 'utf8')
		const rss = /VmRSS:\s+(\d+) kB/.exec(status)
		let rchar: number | null = null
		let wchar: number | null = null
		try {
			const io = readFileSync(`/proc/${pid}/io`, 'utf8')
			rchar = Number(/rchar: (\d+)/.exec(io)?.[1] ?? Number.NaN)
			wchar = Number(/wchar: (\d+)/.exec(io)?.[1] ?? Number.NaN)
		} catch {}
		return { at: performance.now(), cpuSeconds, rssKiB: rss ? Number(rss[1]) : 0, rchar, wchar }
	} catch {
		return null
	}
}

/** CPU % of one core between two samples (100 = one core fully busy). */
export function cpuPercent(a: ProcSample, b: ProcSample): number {
	const dt = (b.at - a.at) / 1000
	return dt > 0 ? Math.round((1000 * (b.cpuSeconds - a.cpuSeconds)) / dt) / 10 : 0
}

export function loadAverage(): string {
	try {
		return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
	} catch {
		return 'unknown'
	}
}
