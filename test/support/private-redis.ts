import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { $ } from 'bun'
import { freePort } from './private-postgres'

// A redis-server of one test's own on a free port, so the test can stop and restart it (an
// outage) without touching the shared Redis every other test uses.

export interface PrivateRedis {
	url: string
	stop(): Promise<void>
	start(): Promise<void>
	destroy(): Promise<void>
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
	const dir = await mkdtemp(join(tmpdir(), 'teddy-private-redis-'))
	const port = await freePort()
	const start = async () => {
		await $`redis-server --bind 127.0.0.1 --port ${port} --save '' --appendonly no --daemonize yes --dir ${dir} --logfile ${join(dir, 'log')} --pidfile ${join(dir, 'pid')}`.quiet()
		for (let i = 0; i < 100; i++) {
			if ((await $`redis-cli -p ${port} ping`.quiet().nothrow()).stdout.toString().includes('PONG')) return
			await Bun.sleep(50)
		}
		throw new Error(`private redis on ${port} did not start`)
	}
	// SHUTDOWN NOSAVE: the data goes with it, as when a Redis pod is replaced.
	const stop = async () => {
		await $`redis-cli -p ${port} shutdown nosave`.quiet().nothrow()
		for (let i = 0; i < 100; i++) {
			if ((await $`redis-cli -p ${port} ping`.quiet().nothrow()).exitCode !== 0) return
			await Bun.sleep(50)
		}
	}
	await start()
	return {
		url: `redis://127.0.0.1:${port}/0`,
		stop,
		start,
		async destroy() {
			await stop()
			await rm(dir, { recursive: true, force: true })
		},
	}
}
