// The bench's own PostgreSQL: a private cluster (initdb into a temp dir, random port) pinned to the
// load generator's cores, so the database a production gateway writes to costs what it costs
// without taking the gateway's core, and its CPU can be reported next to the gateway's. Never the
// shared test server (scripts/services.sh): other trees' tests use that one.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { $ } from 'bun'

export interface BenchPostgres {
	url: string
	/** The postmaster; its backends are its children (proc.ts samples the whole tree). */
	pid: number
	stop(): Promise<void>
}

function pgBin(): string {
	const r = Bun.spawnSync(['bash', '-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'])
	const bin = r.stdout.toString().trim()
	if (!bin) throw new Error('PostgreSQL server binaries not found; run scripts/install-system.sh test, or pass --database-url')
	return bin
}

function freePort(): number {
	const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
	const port = s.port
	s.stop(true)
	return port
}

export async function startBenchPostgres(cpus: string | undefined): Promise<BenchPostgres> {
	const bin = pgBin()
	const dir = mkdtempSync(join(tmpdir(), 'teddy-fleet-pg-'))
	// ? initdb refuses root: as root the cluster belongs to the `postgres` user.
	const root = process.getuid?.() === 0
	const as = (cmd: string[]) => (root ? ['runuser', '-u', 'postgres', '--', ...cmd] : cmd)
	if (root) await $`chown postgres ${dir}`.quiet()
	const data = join(dir, 'data')
	await $`${as([`${bin}/initdb`, '-D', data, '-U', 'teddy', '--auth=trust', '-E', 'UTF8'])}`.quiet()
	const port = freePort()
	// Connections: a gateway's pool per process plus the bench's own; fsync off as in the tests (no disk in the figure).
	const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`
	const pin = cpus && Bun.which('taskset') ? ['taskset', '-c', cpus] : []
	// Started under taskset so the postmaster, and every backend it forks, stays on the generator's cores.
	await $`${as([...pin, `${bin}/pg_ctl`, '-D', data, '-l', join(dir, 'log'), '-w', '-o', opts, 'start'])}`.quiet()
	const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
	await $`${bin}/psql -h 127.0.0.1 -p ${port} -U teddy -d postgres -qc ${'create database teddy'}`.quiet()
	return {
		url: `postgres://teddy@127.0.0.1:${port}/teddy`,
		pid,
		async stop() {
			await $`${as([`${bin}/pg_ctl`, '-D', data, '-m', 'fast', '-w', 'stop'])}`.quiet().nothrow()
			rmSync(dir, { recursive: true, force: true })
		},
	}
}
