import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { loadNativeCodec } from '../../gateway/src/codec/native'

// No number from JS may abort the gateway: a NaN `dueMs` into the encoder panicked in Rust
// (Duration::from_secs_f64) and took every toy's session down with the process. The calls run in a
// child process so a regression fails this test instead of killing the test runner.

test.skipIf(loadNativeCodec() === null)('the process survives bad numbers into every native method', async () => {
	const proc = Bun.spawn(['bun', join(import.meta.dir, '..', 'support', 'native-bad-numbers.ts')], {
		stdout: 'pipe',
		stderr: 'pipe',
	})
	const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
	const code = await proc.exited
	const lines = stdout.trim().split('\n')
	const context = `last call that came back: ${lines.filter((l) => l.startsWith('ok ')).at(-1)}\n${stderr.slice(0, 2000)}`
	expect({ code, context }).toEqual({ code: 0, context: expect.any(String) })
	expect(lines.at(-1)).toBe('encoded 2 frames after the bad calls')
	expect(lines.filter((l) => l.startsWith('ok ')).length).toBeGreaterThan(250)
})
