// What the kernel says a process (and the processes under it) costs: CPU time (utime+stime) from /proc/<pid>/stat, resident
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

/** Direct children of `pid` (Linux keeps them per thread; the main thread's list is the process's). */
function childrenOf(pid: number): number[] {
	try {
		return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number)
	} catch {
		return []
	}
}

function readOne(pid: number, root: boolean): ProcSample | null {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
	// Fields after the parenthesised command name; utime, stime, cutime, cstime are fields 14 to 17.
	const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
	// ? The root's cutime/cstime hold children that already exited (a postgres backend, an espeak run):
	//   their CPU was spent for it. Live children are counted one by one instead.
	const ticks = Number(rest[11]) + Number(rest[12]) + (root ? Number(rest[13]) + Number(rest[14]) : 0)
	const status = readFileSync(`/proc/${pid}/status`, 'utf8')
	const rss = /VmRSS:\s+(\d+) kB/.exec(status)
	let rchar: number | null = null
	let wchar: number | null = null
	try {
		const io = readFileSync(`/proc/${pid}/io`, 'utf8')
		rchar = Number(/rchar: (\d+)/.exec(io)?.[1] ?? Number.NaN)
		wchar = Number(/wchar: (\d+)/.exec(io)?.[1] ?? Number.NaN)
	} catch {}
	return { at: performance.now(), cpuSeconds: ticks / TICKS_PER_SECOND, rssKiB: rss ? Number(rss[1]) : 0, rchar, wchar }
}

/**
 * One process and everything under it (a GATEWAY_PROCESSES supervisor and its gateways, a
 * postmaster and its backends): CPU, RSS and I/O summed over the tree.
 */
export function sampleProc(pid: number): ProcSample | null {
	let total: ProcSample | null = null
	const walk = (p: number, root: boolean) => {
		let s: ProcSample | null = null
		try {
			s = readOne(p, root)
		} catch {}
		if (!s) return
		if (!total) total = s
		else {
			total.cpuSeconds += s.cpuSeconds
			total.rssKiB += s.rssKiB
			total.rchar = total.rchar !== null && s.rchar !== null ? total.rchar + s.rchar : null
			total.wchar = total.wchar !== null && s.wchar !== null ? total.wchar + s.wchar : null
		}
		for (const c of childrenOf(p)) walk(c, false)
	}
	walk(pid, true)
	return total
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
