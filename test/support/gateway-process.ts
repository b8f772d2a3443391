import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'

// Starts a real gateway process (bun gateway/src/main.ts) on a random port and reads its URL
// from the "gateway listening" log line. Each gateway gets its own data directory.

export const TEST_SECRET = '46a1d7e1d6719f4a74404a01a7a18bd5734c824b461708a5123a5f42618c6bc5'

export interface GatewayProcess {
	url: string
	wsUrl: string
	dataDir: string
	proc: Subprocess<'ignore', 'pipe', 'pipe'>
	logs: () => string
	stop(signal?: NodeJS.Signals): Promise<number>
}

const ROOT = join(import.meta.dir, '..', '..')

export interface StartOptions {
	/** How long to wait for "gateway listening" (default 30 s; a first embedded boot on a busy machine takes longer). */
	startTimeoutMs?: number
}

export async function startGatewayProcess(env: Record<string, string | undefined> = {}, opts: StartOptions = {}): Promise<GatewayProcess> {
	const startTimeoutMs = opts.startTimeoutMs ?? 30_000
	const dataDir = await mkdtemp(join(tmpdir(), 'teddy-gw-'))
	const proc = Bun.spawn(['bun', 'gateway/src/main.ts'], {
		cwd: ROOT,
		env: {
			PATH: process.env.PATH,
			HOME: process.env.HOME,
			PORT: '0',
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			ESP32_SHARED_SECRET: TEST_SECRET,
			LOG_LEVEL: 'info',
			// ! The test Redis is shared by every test and worktree: each gateway keeps its keys apart
			//   (rate-limit buckets per address would otherwise be shared by all of them)
			REDIS_KEY_PREFIX: `test-${crypto.randomUUID().slice(0, 8)}:`,
			...env,
		},
		stdin: 'ignore',
		stdout: 'pipe',
		stderr: 'pipe',
	})
	let output = ''
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`gateway did not start in ${startTimeoutMs / 1000} s:\n${output}`)), startTimeoutMs)
		const pump = async (stream: ReadableStream<Uint8Array>) => {
			const decoder = new TextDecoder()
			for await (const chunk of stream) {
				output += decoder.decode(chunk)
				const m = /"url":"(http:\/\/[^"]+)"[^\n]*gateway listening|gateway listening[^\n]*"url":"(http:\/\/[^"]+)"/.exec(output)
				if (m) {
					clearTimeout(timer)
					resolve((m[1] ?? m[2]).replace(/\/$/, ''))
				}
			}
		}
		void pump(proc.stdout)
		void pump(proc.stderr)
		void proc.exited.then((code) => {
			clearTimeout(timer)
			reject(new Error(`gateway exited with ${code} before listening:\n${output}`))
		})
	})
	return {
		url,
		wsUrl: url.replace(/^http/, 'ws'),
		dataDir,
		proc,
		logs: () => output,
		async stop(signal = 'SIGTERM') {
			if (proc.exitCode === null) proc.kill(signal)
			const code = await proc.exited
			await rm(dataDir, { recursive: true, force: true })
			return code
		},
	}
}
