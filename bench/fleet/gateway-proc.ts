// Starts the gateway under test as a child process (bun gateway/src/main.ts) with the fake
// provider, on a port chosen here so a storm can restart it in place, and optionally pinned to
// one core so the load generator gets the other.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'

const ROOT = join(import.meta.dir, '..', '..')

export interface GatewayOptions {
	codec: 'native' | 'fallback'
	secret: string
	latencyMs: number
	answerMs: number
	/** taskset CPU list for the gateway, e.g. "0"; undefined = not pinned. */
	cpus?: string
	databaseUrl?: string
	/** Extra env (limits) for the gateway. */
	env?: Record<string, string>
}

export interface GatewayHandle {
	pid: number
	port: number
	wsUrl: string
	dataDir: string
	/** Last lines the gateway wrote (warnings and errors at LOG_LEVEL=warn). */
	logTail(): string[]
	/** SIGTERM (toys get 1012), wait for exit, start again on the same port and data. */
	restart(): Promise<void>
	stop(): Promise<void>
}

export function fdLimit(): { soft: number; hard: number } {
	const r = Bun.spawnSync(['bash', '-c', 'echo $(ulimit -Sn) $(ulimit -Hn)'])
	const [soft, hard] = r.stdout.toString().trim().split(' ').map((v) => (v === 'unlimited' ? 1 << 20 : Number(v)))
	return { soft, hard }
}

/**
 * Command prefix that raises the open-file limit to the hard limit (sockets are files) and pins
 * to `cpus`. Throws with a clear message when even the hard limit is below what is needed.
 */
export function launcher(cmd: string[], needFds: number, cpus?: string): string[] {
	const { hard } = fdLimit()
	if (hard < needFds) {
		throw new Error(
			`need ${needFds} open files per process but the hard limit is ${hard}: raise it (e.g. 'ulimit -Hn ${needFds * 2}' as root, or LimitNOFILE in the service unit) and run again`,
		)
	}
	const pin = cpus && Bun.which('taskset') ? `taskset -c ${cpus} ` : ''
	const quoted = cmd.map((c) => `'${c.replaceAll("'", "'\\''")}'`).join(' ')
	return ['bash', '-c', `ulimit -n ${hard} && exec ${pin}${quoted}`]
}

async function freePort(): Promise<number> {
	const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
	const port = s.port
	s.stop(true)
	return port
}

export async function startGatewayProcess(opts: GatewayOptions, needFds: number): Promise<GatewayHandle> {
	const port = await freePort()
	const dataDir = mkdtempSync(join(tmpdir(), 'teddy-fleet-'))
	const tail: string[] = []
	let proc: Subprocess<'ignore', 'pipe', 'pipe'>

	const env: Record<string, string | undefined> = {
		PATH: process.env.PATH,
		HOME: process.env.HOME,
		PORT: String(port),
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		DATABASE_URL: opts.databaseUrl,
		ESP32_SHARED_SECRET: opts.secret,
		TEDDY_PROVIDER: 'fake',
		TEDDY_CODEC: opts.codec,
		FAKE_PROVIDER_LATENCY_MS: String(opts.latencyMs),
		FAKE_PROVIDER_ANSWER_MS: String(opts.answerMs),
		LOG_LEVEL: 'warn',
		// The whole fleet comes from one loopback address; the per-IP limit would measure itself.
		CONNECTIONS_PER_IP_PER_MINUTE: '1000000',
		TURNS_PER_DEVICE_PER_MINUTE: '600',
		// A whole fleet of brand-new toys arrives within seconds: the registration ceiling
		// (docs/security.md) would throttle the ramp, not measure the gateway.
		DEVICE_REGISTRATIONS_PER_MINUTE: '1000000',
		REST_REQUESTS_PER_IP_PER_MINUTE: '1000000',
		...opts.env,
		// FLEET_GATEWAY_ENV ("K=V K2=V2", e.g. BUN_JSC_logGC=1) adds settings for a diagnosis run.
		...Object.fromEntries(
			(process.env.FLEET_GATEWAY_ENV ?? '')
				.split(' ')
				.filter(Boolean)
				.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
		),
	}
	// FLEET_GATEWAY_LOG=<file> keeps every line the gateway prints, not just the last 200.
	const logFile = process.env.FLEET_GATEWAY_LOG ? Bun.file(process.env.FLEET_GATEWAY_LOG).writer() : undefined

	async function launch(): Promise<void> {
		// FLEET_GATEWAY_BUN_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the gateway under load.
		const bunArgs = (process.env.FLEET_GATEWAY_BUN_ARGS ?? '').split(' ').filter(Boolean)
		proc = Bun.spawn(launcher(['bun', ...bunArgs, 'gateway/src/main.ts'], needFds, opts.cpus), {
			cwd: ROOT,
			env,
			stdin: 'ignore',
			stdout: 'pipe',
			stderr: 'pipe',
		})
		for (const stream of [proc.stdout, proc.stderr]) {
			void (async () => {
				const dec = new TextDecoder()
				for await (const chunk of stream) {
					for (const line of dec.decode(chunk).split('\n')) {
						if (!line) continue
						logFile?.write(`${line}\n`)
						tail.push(line.slice(0, 400))
						if (tail.length > 200) tail.shift()
					}
				}
			})()
		}
		const deadline = Date.now() + 60_000
		for (;;) {
			if (proc.exitCode !== null) throw new Error(`gateway exited with ${proc.exitCode}:\n${tail.join('\n')}`)
			try {
				const res = await fetch(`http://127.0.0.1:${port}/health/live`)
				if (res.ok) return
			} catch {}
			if (Date.now() > deadline) throw new Error(`gateway not live within 60 s:\n${tail.join('\n')}`)
			await Bun.sleep(100)
		}
	}

	await launch()
	const handle: GatewayHandle = {
		get pid() {
			return proc.pid
		},
		port,
		wsUrl: `ws://127.0.0.1:${port}`,
		dataDir,
		logTail: () => tail.slice(),
		async restart() {
			proc.kill('SIGTERM')
			await proc.exited
			await launch()
		},
		async stop() {
			if (proc.exitCode === null) proc.kill('SIGTERM')
			await proc.exited
			await logFile?.end()
			rmSync(dataDir, { recursive: true, force: true })
		},
	}
	return handle
}
