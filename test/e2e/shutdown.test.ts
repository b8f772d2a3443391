import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { rm } from 'node:fs/promises'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { seedUrl } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// SIGTERM during a rollout (PROTOCOL.md §5, close 1012): every toy is told the gateway is
// restarting and reconnects elsewhere, even one in the middle of an answer; the process exits
// cleanly and takes no new toys.

describe('graceful shutdown', () => {
	let gw: GatewayProcess

	beforeAll(async () => {
		gw = await startGatewayProcess()
	})

	afterAll(async () => {
		if (gw && gw.proc.exitCode === null) gw.proc.kill('SIGKILL')
		if (gw) await rm(gw.dataDir, { recursive: true, force: true })
	})

	test('tells each toy RESTARTING, closes with 1012, exits 0 and refuses new toys', async () => {
		const idle = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'shutdown-idle' }))
		const talking = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'shutdown-talking' }))
		await Promise.all([idle.opened, talking.opened])
		idle.send({ type: 'ping' })
		await idle.waitFor((m) => m.type === 'pong')

		// the offline bear's answer lasts seconds, so the toy is mid-answer when the signal lands
		talking.send({ type: 'text', text: 'Tell me a story please' })
		await talking.waitFor((m) => m.type === 'audio_response' && m.final === false, 15_000)
		expect(talking.messages.some((m) => m.type === 'audio_response' && m.final === true)).toBe(false)

		gw.proc.kill('SIGTERM')
		const [idleClosed, talkingClosed] = await Promise.all([idle.closed, talking.closed])

		for (const [s, closed] of [
			[idle, idleClosed],
			[talking, talkingClosed],
		] as const) {
			const errIndex = s.messages.findIndex((m) => m.type === 'error')
			expect(errIndex).toBeGreaterThanOrEqual(0)
			expect(s.messages[errIndex].code).toBe('RESTARTING')
			expect(typeof s.messages[errIndex].message).toBe('string')
			// nothing after the goodbye: the toy must not keep playing a half answer it will lose
			expect(s.messages.slice(errIndex + 1)).toEqual([])
			expect(closed.code).toBe(1012)
		}

		// a toy that tries while the gateway drains is not given a session
		const late = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'shutdown-late' }))
		const lateOutcome = await late.opened.then(
			async () => {
				const closed = await late.closed
				return { opened: true, closed, error: late.messages.find((m) => m.type === 'error') }
			},
			() => ({ opened: false, closed: null, error: undefined }),
		)
		if (lateOutcome.opened) {
			expect(lateOutcome.error?.code).toBe('RESTARTING')
			expect(lateOutcome.closed?.code).toBe(1012)
		}

		expect(await gw.proc.exited).toBe(0)

		// and once gone, nothing listens
		const after = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'shutdown-after' }))
		expect(await after.opened.then(() => 'opened', () => 'refused')).toBe('refused')
		expect(await fetch(`${gw.url}/health`).then(() => 'answered', () => 'refused')).toBe('refused')
	})
})

describe('drain finishes answers in flight', () => {
	test('a toy mid-answer at SIGTERM hears the rest of it, then is told to reconnect (1012)', async () => {
		const gw = await startGatewayProcess({ SHUTDOWN_GRACE_MS: '20000' })
		try {
			const talking = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'drain-talking' }))
			const idle = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'drain-idle' }))
			await Promise.all([talking.opened, idle.opened])
			talking.send({ type: 'text', text: 'Tell me a story please' })
			await talking.waitFor((m) => m.type === 'audio_response' && m.final === false, 15_000)

			gw.proc.kill('SIGTERM')
			// the idle toy is let go at once; the talking one only after its answer
			expect((await idle.closed).code).toBe(1012)
			expect(talking.messages.some((m) => m.type === 'error')).toBe(false)
			const closed = await talking.closed
			const finalAt = talking.messages.findIndex((m) => m.type === 'audio_response' && m.final === true)
			const errorAt = talking.messages.findIndex((m) => m.type === 'error')
			expect(finalAt).toBeGreaterThan(0)
			expect(errorAt).toBe(talking.messages.length - 1)
			expect(talking.messages[errorAt].code).toBe('RESTARTING')
			expect(closed.code).toBe(1012)
			expect(await gw.proc.exited).toBe(0)
		} finally {
			if (gw.proc.exitCode === null) gw.proc.kill('SIGKILL')
			await rm(gw.dataDir, { recursive: true, force: true })
		}
	})
})
