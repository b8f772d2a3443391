import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { $ } from 'bun'

// A PostgreSQL server of one test's own, on a free port, so the test can stop and restart it (an
// outage) without touching the shared server every other test uses. Same Debian binaries as
// scripts/services.sh; as root the cluster belongs to the `postgres` user (initdb refuses root).

export interface PrivatePostgres {
	url: string
	stop(): Promise<void>
	start(): Promise<void>
	destroy(): Promise<void>
}

async function pgBin(): Promise<string> {
	const dirs = (await $`ls -d /usr/lib/postgresql/*/bin`.quiet().text()).trim().split('\n').sort()
	const bin = dirs.at(-1)
	if (!bin) throw new Error('PostgreSQL server binaries not found; run scripts/install-system.sh test')
	return bin
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer()
		srv.once('error', reject)
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as { port: number }
			srv.close(() => resolve(port))
		})
	})
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
	const bin = await pgBin()
	const dir = await mkdtemp(join(tmpdir(), 'teddy-private-pg-'))
	const root = process.getuid?.() === 0
	const as = (cmd: string[]) => (root ? ['runuser', '-u', 'postgres', '--', ...cmd] : cmd)
	if (root) await $`chown postgres ${dir}`.quiet()
	const data = join(dir, 'data')
	await $`${as([`${bin}/initdb`, '-D', data, '-U', 'teddy', '--auth=trust', '-E', 'UTF8'])}`.quiet()
	const port = await freePort()
	const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`
	const start = async () => {
		await $`${as([`${bin}/pg_ctl`, '-D', data, '-l', join(dir, 'log'), '-w', '-o', opts, 'start'])}`.quiet()
	}
	// -m immediate: like a crash or a pulled cable, not a polite shutdown that waits for clients.
	const stop = async () => {
		await $`${as([`${bin}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop'])}`.quiet().nothrow()
	}
	await start()
	await $`${bin}/psql -h 127.0.0.1 -p ${port} -U teddy -d postgres -qc ${'create database teddy'}`.quiet()
	return {
		url: `postgres://teddy@127.0.0.1:${port}/teddy`,
		stop,
		start,
		async destroy() {
			await stop()
			await rm(dir, { recursive: true, force: true })
		},
	}
}
