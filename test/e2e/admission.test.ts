import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fixedLineTexts } from '../../gateway/src/ai/fixed-lines'
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process'
import { parsePrometheus, sample } from '../support/prometheus-text'
import { seedUrl } from '../support/seed-url'
import { TestSocket } from '../support/ws-client'

// Overload without choppy audio (issue 17 item 6), against a real gateway process with the default
// thresholds. The gateway is saturated for real: it gets no CPU at all for a while (SIGSTOP), as
// when the core is held by other work, so its pacing tick comes back that late. Then a new turn
// hears the short "I need a moment" line instead of an answer, a new toy is refused with 1012 and
// a retry hint, both are counted and logged, and the answer already playing plays on to its end.

const METRICS_TOKEN = 'metrics-token-admission-01'
const ANSWER_MS = 6000
let gw: GatewayProcess

beforeAll(async () => {
	gw = await startGatewayProcess({
		TEDDY_PROVIDER: 'fake',
		FAKE_PROVIDER_LATENCY_MS: '50',
		FAKE_PROVIDER_ANSWER_MS: String(ANSWER_MS),
		METRICS_TOKEN,
	})
})

afterAll(async () => {
	await gw?.stop()
})

async function scrape() {
	const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
	return parsePrometheus(await res.text())
}

/** The gateway's own load signal: its smoothed pacing tick lateness, in seconds. */
async function lateness(): Promise<number> {
	return sample(await scrape(), 'teddy_pacing_tick_lateness_seconds') ?? 0
}

const pieces = (s: TestSocket) => s.messages.filter((m) => m.type === 'audio_response')

describe('admission control under a saturated gateway', () => {
	test('a new turn gets the moment line and a new toy is refused, while the playing answer plays on', async () => {
		const playing = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'adm-playing' }))
		const asking = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'adm-asking' }))
		await Promise.all([playing.opened, asking.opened])
		playing.send({ type: 'text', text: 'tell me a long story' })
		await playing.waitFor(() => pieces(playing).length >= 5, 30_000)

		// No CPU for 1.5 s: the 10 ms pacing tick fires that late once it runs again. (The clock ticks
		// only while a frame waits: if the playing answer had caught up just then, freeze it again.)
		let resumedAt = 0
		for (let attempt = 0; attempt < 5 && (await lateness()) < 0.5; attempt++) {
			gw.proc.kill('SIGSTOP')
			await Bun.sleep(1500)
			gw.proc.kill('SIGCONT')
			resumedAt = performance.now()
		}
		expect(await lateness()).toBeGreaterThan(0.5)

		asking.send({ type: 'text', text: 'why is the sky blue?' })
		const refused = new TestSocket(seedUrl(gw.wsUrl, { device_id: 'adm-newcomer' }))
		const closed = await Promise.race([refused.closed, refused.opened.then(() => Bun.sleep(20_000)).then(() => ({ code: 0, reason: 'still open after 20 s' }))])
		expect(closed.code).toBe(1012)
		const error = refused.messages.find((m) => m.type === 'error')
		expect(error?.code).toBe('RESTARTING')
		expect(String(error?.message)).toContain('retry in 15 s')

		// The shed turn: the busy line, whole, then the end of the answer; the provider was not asked.
		await asking.waitFor((m) => m.type === 'audio_response' && m.final === true, 30_000)
		const heard = pieces(asking)
		expect(heard[0].text).toBe(fixedLineTexts.busy)
		expect(heard.filter((p) => p.audio_data !== '').length).toBeGreaterThan(10)
		expect(heard.some((p) => typeof p.text === 'string' && p.text.startsWith('fake t='))).toBe(false)

		// The answer that was playing plays on to its end, every frame of it.
		await playing.waitFor((m) => m.type === 'audio_response' && m.final === true, 60_000)
		const played = pieces(playing).filter((p) => p.audio_data !== '')
		expect(played.length).toBeGreaterThanOrEqual(Math.floor(ANSWER_MS / 60))
		const after = playing.messageTimes.filter((t) => t > resumedAt).length
		expect(after).toBeGreaterThan(10)
		expect(playing.messages.some((m) => m.type === 'error')).toBe(false)

		const samples = await scrape()
		expect(sample(samples, 'teddy_admission_shed_total', { kind: 'turn' })).toBe(1)
		expect(sample(samples, 'teddy_admission_shed_total', { kind: 'connection' })).toBe(1)
		// The shed turn is not an answer: only the playing toy's turn counts as answered.
		expect(sample(samples, 'teddy_turns_total', { outcome: 'started' })).toBe(2)
		expect(sample(samples, 'teddy_turns_total', { outcome: 'answered' })).toBe(1)
		// Logged once for the change of level, not once per turn or connection.
		expect(gw.logs().match(/admission: badly overloaded/g)?.length).toBe(1)
		playing.close()
		asking.close()
	}, 120_000)
})
