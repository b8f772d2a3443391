import { join } from 'node:path'

// Runs the operator's device command (scripts/device.ts) as an operator would, against the same
// database a test gateway uses.

const ROOT = join(import.meta.dir, '..', '..')

export interface ScriptRun {
	code: number
	stdout: string
	stderr: string
}

export async function deviceScript(args: string[], env: Record<string, string>): Promise<ScriptRun> {
	const proc = Bun.spawn(['bun', 'scripts/device.ts', ...args], {
		cwd: ROOT,
		env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
		stdout: 'pipe',
		stderr: 'pipe',
	})
	const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
	return { code, stdout, stderr }
}
