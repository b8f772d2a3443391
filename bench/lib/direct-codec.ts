import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import type { Op } from './codec-ops'

// The "direct" path of bench/codec.ts: native/core/examples/codec_direct.rs, kept running so its
// op state stays warm between rounds like the in-process paths' does. One line per op in
// (`<op> <iterations> <warmup>`), one line back (µs per iteration); `digest <op> <iterations>`
// answers the hash of what the op produced.

const NATIVE = join(import.meta.dir, '..', '..', 'native')

function hostTriple(): string {
	const r = Bun.spawnSync(['rustc', '-vV'], { stderr: 'pipe' })
	const host = r.stdout
		.toString()
		.split('\n')
		.find((l) => l.startsWith('host: '))
	if (!r.success || !host) throw new Error('rustc -vV did not say the host triple')
	return host.slice('host: '.length).trim()
}

export interface DirectCodec {
	time(op: Op, iterations: number, warmup: number): Promise<number>
	/** FNV-1a of the outputs of `iterations` runs of `op` (bench/lib/codec-ops.ts Digest). */
	digest(op: Op, iterations: number): Promise<number>
	close(): void
}

/** Builds the example (a no-op when it is current) and starts it on `inputDir`. */
export async function startDirectCodec(inputDir: string): Promise<DirectCodec> {
	// ? Built as `napi build --platform --release` builds the .node (explicit target, release, LTO),
	//   so both link the very same libopus objects: a difference in build would pass for overhead.
	const target = hostTriple()
	const build = Bun.spawnSync(['cargo', 'build', '-q', '--release', '--target', target, '--example', 'codec_direct'], { cwd: NATIVE, stderr: 'pipe' })
	const binary = join(NATIVE, 'target', target, 'release', 'examples', 'codec_direct')
	if (!build.success || !existsSync(binary)) throw new Error(`cargo build --example codec_direct failed: ${build.stderr.toString().trim().split('\n').pop()}`)
	const proc: Subprocess<'pipe', 'pipe', 'inherit'> = Bun.spawn([binary, inputDir], { stdin: 'pipe', stdout: 'pipe', stderr: 'inherit' })
	const reader = proc.stdout.getReader()
	const decoder = new TextDecoder()
	let buffered = ''
	const line = async (): Promise<string> => {
		for (;;) {
			const nl = buffered.indexOf('\n')
			if (nl >= 0) {
				const l = buffered.slice(0, nl)
				buffered = buffered.slice(nl + 1)
				return l
			}
			const { value, done } = await reader.read()
			if (done) throw new Error(`codec_direct exited (code ${await proc.exited})`)
			buffered += decoder.decode(value, { stream: true })
		}
	}
	const ready = await line()
	if (ready !== 'ready') throw new Error(`codec_direct: expected "ready", got ${JSON.stringify(ready)}`)
	return {
		async time(op, iterations, warmup) {
			proc.stdin.write(`${op} ${iterations} ${warmup}\n`)
			proc.stdin.flush()
			const us = Number(await line())
			if (!Number.isFinite(us)) throw new Error(`codec_direct: no figure for ${op}`)
			return us
		},
		async digest(op, iterations) {
			proc.stdin.write(`digest ${op} ${iterations}\n`)
			proc.stdin.flush()
			const hash = Number(await line())
			if (!Number.isInteger(hash)) throw new Error(`codec_direct: no digest for ${op}`)
			return hash
		},
		close() {
			proc.stdin.end()
		},
	}
}
