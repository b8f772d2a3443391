import type { Subprocess } from 'bun'
import { type Config, workerEnv } from './config'
import type { Logger } from './obs/logger'

// GATEWAY_PROCESSES=N: this process only supervises N gateway processes listening on one port
// (reusePort: the kernel spreads new connections over them), so one machine uses all its cores.
// They are nodes of one fleet like gateways on other machines (Redis presence, commands, resume),
// so they need REDIS_URL to act as one; each gets NODE_ID <id>-<i> and, with METRICS_PORT, its own
// metrics port METRICS_PORT+i. A process that dies is started again; SIGTERM drains them all.

export async function superviseProcesses(config: Config, log: Logger): Promise<void> {
	const n = config.fleet.processes
	if (!config.redisUrl) log.warn({ processes: n }, 'GATEWAY_PROCESSES without REDIS_URL: each process keeps its own presence and resume state')
	// ? PORT=0 asks for any free port; the processes must agree on one, so it is chosen here.
	const port = config.port || freePort(config.host)
	const children: Array<Subprocess | undefined> = []
	let stopping = false

	function spawn(i: number): void {
		const env = workerEnv({
			PORT: String(port),
			TEDDY_WORKER_INDEX: String(i),
			NODE_ID: `${config.fleet.nodeId}-${i}`,
			METRICS_PORT: config.metrics.port ? String(config.metrics.port + i) : undefined,
		})
		const child = Bun.spawn([process.execPath, ...process.argv.slice(1)], { env, stdio: ['ignore', 'inherit', 'inherit'] })
		children[i] = child
		void child.exited.then((code) => {
			if (stopping) return
			log.error({ worker: i, code }, 'gateway process exited; starting it again')
			setTimeout(() => spawn(i), 1000)
		})
	}

	for (let i = 0; i < n; i++) spawn(i)
	log.info({ processes: n, port }, 'supervising gateway processes')

	const stop = async (signal: NodeJS.Signals) => {
		if (stopping) return
		stopping = true
		for (const c of children) c?.kill(signal)
		const codes = await Promise.all(children.map((c) => c?.exited))
		process.exit(codes.every((c) => c === 0) ? 0 : 1)
	}
	process.on('SIGTERM', () => void stop('SIGTERM'))
	process.on('SIGINT', () => void stop('SIGINT'))
}

function freePort(hostname: string): number {
	const s = Bun.listen({ hostname, port: 0, socket: { data() {} } })
	const port = s.port
	s.stop(true)
	return port
}
