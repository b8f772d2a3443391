import type { Subprocess } from 'bun'

// A redis-server of one test's own, on a free loopback port, for outage tests: it can be stopped,
// started again on the same port, frozen (SIGSTOP: connections stay open, nothing answers) and
// thawed. Never the shared test Redis, which other tests and worktrees use at the same time.

export interface PrivateRedis {
	url: string
	port: number
	stop(): Promise<void>
	start(): Promise<void>
	freeze(): void
	thaw(): void
}

function freePort(): number {
	const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
	const port = probe.port
	probe.stop(true)
	return port
}

async function answersPing(port: number): Promise<boolean> {
	try {
		const socket = await Bun.connect({
			hostname: '127.0.0.1',
			port,
			socket: { data() {}, error() {} },
		})
		socket.end()
		return true
	} catch {
		return false
	}
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
	const port = freePort()
	let proc: Subprocess | undefined
	const start = async () => {
		proc = Bun.spawn(['redis-server', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], {
			stdout: 'ignore',
			stderr: 'ignore',
		})
		for (let i = 0; i < 100; i++) {
			if (await answersPing(port)) return
			await Bun.sleep(50)
		}
		throw new Error(`private redis-server on port ${port} did not start`)
	}
	await start()
	return {
		url: `redis://127.0.0.1:${port}/0`,
		port,
		start,
		async stop() {
			if (!proc || proc.exitCode !== null) return
			proc.kill('SIGCONT')
			proc.kill('SIGKILL')
			await proc.exited
		},
		freeze: () => proc?.kill('SIGSTOP'),
		thaw: () => proc?.kill('SIGCONT'),
	}
}
