import { describe, expect, test } from 'bun:test'
import { Pacer, PacingClock } from '../../gateway/src/session/pacer'

// Downlink pacing (PROTOCOL.md §4): a burst of at most 5 frames, then real time, so a toy's
// 40-packet queue never overflows; sentence marks ride just before their audio; end after the last.
// Real timers: only lower bounds on time are asserted.

const FRAME_MS = 60

type Event = { kind: 'audio'; n: number; at: number } | { kind: 'sentence'; text: string; at: number } | { kind: 'end'; at: number }

function recorder() {
	const events: Event[] = []
	const sink = {
		audio: (p: Uint8Array) => events.push({ kind: 'audio', n: p[0], at: performance.now() }),
		sentence: (text: string) => events.push({ kind: 'sentence', text, at: performance.now() }),
		end: () => events.push({ kind: 'end', at: performance.now() }),
	}
	return { events, sink, audio: () => events.filter((e) => e.kind === 'audio') }
}

const packet = (n: number) => new Uint8Array([n, 0xaa, 0xbb])

async function until(pred: () => boolean, timeoutMs = 5000): Promise<void> {
	const deadline = performance.now() + timeoutMs
	while (!pred()) {
		if (performance.now() > deadline) throw new Error('timed out')
		await Bun.sleep(5)
	}
}

describe('pacer', () => {
	test('counts what the toy has played: frames released minus what it still buffers', () => {
		const r = recorder()
		const pacer = new Pacer(new PacingClock(), r.sink, FRAME_MS)
		for (let i = 0; i < 20; i++) pacer.push({ kind: 'audio', packet: packet(i) })
		const t = performance.now()
		// the burst of 5 is in the toy's buffer, none of it played yet
		expect(pacer.playedMs(t)).toBeLessThan(5)
		expect(pacer.playedMs(t + 120)).toBeGreaterThan(110)
		expect(pacer.playedMs(t + 120)).toBeLessThanOrEqual(125)
		// never more than was released
		expect(pacer.playedMs(t + 10_000)).toBe(5 * FRAME_MS)
		pacer.clear()
		expect(pacer.playedMs(t + 10_000)).toBe(0)
	})

	test('ends a turn only when the toy would have played everything it was sent', async () => {
		// Issue 11.6: tts stop went out 1-15 ms after the last frame while the toy still held up to 5
		// frames; a client that clears its buffer on stop lost ~0.7 s of every answer.
		const r = recorder()
		const pacer = new Pacer(new PacingClock(), r.sink, FRAME_MS)
		for (let i = 0; i < 8; i++) pacer.push({ kind: 'audio', packet: packet(i) })
		pacer.push({ kind: 'end' })
		await until(() => r.events.some((e) => e.kind === 'end'))
		const first = r.audio()[0]!.at
		const end = r.events.find((e) => e.kind === 'end')!.at
		// Lower bound only: 8 frames of playback from the first frame's arrival.
		expect(end - first).toBeGreaterThanOrEqual(8 * FRAME_MS - 2)
	})

	test('a turn with no audio ends at once', () => {
		const r = recorder()
		const pacer = new Pacer(new PacingClock(), r.sink, FRAME_MS)
		pacer.push({ kind: 'sentence', text: 'hi' })
		pacer.push({ kind: 'end' })
		expect(r.events.map((e) => e.kind)).toEqual(['sentence', 'end'])
	})

	test('releases exactly 5 frames at once when 20 are pushed together', () => {
		const r = recorder()
		const pacer = new Pacer(new PacingClock(), r.sink, FRAME_MS)
		for (let i = 0; i < 20; i++) pacer.push({ kind: 'audio', packet: packet(i) })
		expect(r.audio().length).toBe(5)
		expect(pacer.pending).toBe(15)
		pacer.clear()
	})

	test('releases the rest no faster than real time', async () => {
		const r = recorder()
		const pacer = new Pacer(new PacingClock(), r.sink, FRAME_MS)
		const t0 = performance.now()
		for (let i = 0; i < 20; i++) pacer.push({ kind: 'audio', packet: packet(i) })
		pacer.push({ kind: 'end' })
		const samples: Array<{ elapsed: number; sent: number }> = []
		while (!r.events.some((e) => e.kind === 'end')) {
			samples.push({ elapsed: performance.now() - t0, sent: r.audio().length })
			if (performance.now() - t0 > 10_000) throw new Error('pacer never finished')
			await Bun.sleep(7)
		}
		for (const s of samples) expect(s.sent).toBeLessThanOrEqual(5 + Math.ceil(s.elapsed / FRAME_MS))
		// frame i (from 0) may leave only once the toy holds fewer than 5 frames: (i - 4) frame times in
		const audio = r.audio()
		expect(audio.length).toBe(20)
		for (let i = 5; i < audio.length; i++) expect(audio[i].at - audio[0].at).toBeGreaterThanOrEqual((i - 4) * FRAME_MS - 2)
		expect(audio.map((e) => (e.kind === 'audio' ? e.n : -1))).toEqual([...Array(20).keys()])
	})

	test('puts each sentence right before its audio', async () => {
		const r = recorder()
		const pacer = new Pacer(new PacingClock(), r.sink, FRAME_MS)
		pacer.push({ kind: 'sentence', text: 'one' })
		for (let i = 0; i < 7; i++) pacer.push({ kind: 'audio', packet: packet(i) })
		pacer.push({ kind: 'sentence', text: 'two' })
		for (let i = 7; i < 10; i++) pacer.push({ kind: 'audio', packet: packet(i) })
		pacer.push({ kind: 'end' })
		// 'two' must not jump ahead of audio still waiting its turn
		expect(r.events.some((e) => e.kind === 'sentence' && e.text === 'two')).toBe(false)
		await until(() => r.events.some((e) => e.kind === 'end'))
		const order = r.events.map((e) => (e.kind === 'audio' ? `a${e.n}` : e.kind === 'sentence' ? `s:${e.text}` : 'end'))
		expect(order).toEqual(['s:one', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 's:two', 'a7', 'a8', 'a9', 'end'])
	})

	test('sends end only after the last audio', async () => {
		const r = recorder()
		const pacer = new Pacer(new PacingClock(), r.sink, FRAME_MS)
		for (let i = 0; i < 8; i++) pacer.push({ kind: 'audio', packet: packet(i) })
		pacer.push({ kind: 'end' })
		expect(r.events.some((e) => e.kind === 'end')).toBe(false)
		await until(() => r.events.some((e) => e.kind === 'end'))
		expect(r.events.at(-1)?.kind).toBe('end')
		expect(r.audio().length).toBe(8)
		expect(r.events.filter((e) => e.kind === 'end').length).toBe(1)
	})

	test('sends end at once when nothing is queued', () => {
		const r = recorder()
		const pacer = new Pacer(new PacingClock(), r.sink, FRAME_MS)
		pacer.push({ kind: 'end' })
		expect(r.events.map((e) => e.kind)).toEqual(['end'])
	})

	test('sends nothing after clear', async () => {
		const r = recorder()
		const pacer = new Pacer(new PacingClock(), r.sink, FRAME_MS)
		pacer.push({ kind: 'sentence', text: 'hello' })
		for (let i = 0; i < 20; i++) pacer.push({ kind: 'audio', packet: packet(i) })
		pacer.push({ kind: 'sentence', text: 'later' })
		pacer.push({ kind: 'audio', packet: packet(99) })
		pacer.push({ kind: 'end' })
		await Bun.sleep(FRAME_MS * 2)
		pacer.clear()
		const count = r.events.length
		expect(pacer.pending).toBe(0)
		await Bun.sleep(FRAME_MS * 6)
		expect(r.events.length).toBe(count)
		expect(r.events.some((e) => e.kind === 'end')).toBe(false)
	})

	test('starts a fresh burst for the next turn after clear', () => {
		const r = recorder()
		const pacer = new Pacer(new PacingClock(), r.sink, FRAME_MS)
		for (let i = 0; i < 20; i++) pacer.push({ kind: 'audio', packet: packet(i) })
		pacer.clear()
		const before = r.audio().length
		for (let i = 0; i < 20; i++) pacer.push({ kind: 'audio', packet: packet(i) })
		expect(r.audio().length - before).toBe(5)
		pacer.clear()
	})
})

describe('pacing clock', () => {
	test('each gateway has its own: pacers on one clock do not run on, or load, another', async () => {
		const a = new PacingClock()
		const b = new PacingClock()
		const r = recorder()
		const pacer = new Pacer(a, r.sink, FRAME_MS)
		for (let i = 0; i < 8; i++) pacer.push({ kind: 'audio', packet: packet(i) })
		expect(a.speaking).toBe(1)
		expect(b.speaking).toBe(0)
		await until(() => r.audio().length === 8)
		pacer.push({ kind: 'end' })
		await until(() => r.events.some((e) => e.kind === 'end'))
		expect(a.speaking).toBe(0)
	})

	test('its lateness rises when the event loop is saturated, and only on the clock that is ticking', async () => {
		const busy = new PacingClock()
		const idle = new PacingClock()
		const r = recorder()
		const pacer = new Pacer(busy, r.sink, FRAME_MS)
		// Five minutes of audio: the clock keeps ticking throughout.
		for (let i = 0; i < 5000; i++) pacer.push({ kind: 'audio', packet: packet(i % 256) })
		// A core that is saturated: the event loop is blocked 50 ms at a time, back to back.
		const hog = setInterval(() => {
			const until = performance.now() + 50
			while (performance.now() < until) {}
		}, 1)
		await Bun.sleep(1500)
		clearInterval(hog)
		// ? A lower bound only: a 50 ms block makes most 10 ms ticks fire ~40 ms late.
		expect(busy.lateMs()).toBeGreaterThan(20)
		expect(idle.lateMs()).toBe(0)
		pacer.clear()
		expect(busy.speaking).toBe(0)
	})

	test('frames that wait for their encode raise the load signal though the tick is on time', async () => {
		// ? What 300 talking toys on one core did (README, Performance): the 10 ms tick stayed on time
		//   while answers' frames came from the encoder late, and the toys' buffers ran dry.
		const starved = new PacingClock()
		const fed = new PacingClock()
		const r = recorder()
		// Every clock also paces one toy whose answer is all there, so its tick runs throughout.
		const steady = [starved, fed].map((clock) => new Pacer(clock, recorder().sink, FRAME_MS))
		for (const p of steady) for (let i = 0; i < 80; i++) p.push({ kind: 'audio', packet: packet(i) })
		// Four toys on the starved clock get a frame every 150 ms against a 60 ms frame time, each
		// ~90 ms after its buffer ran dry, staggered so that most ticks see a late frame somewhere.
		const slow = Array.from({ length: 4 }, () => new Pacer(starved, r.sink, FRAME_MS))
		for (let i = 0; i < 12; i++) {
			for (const p of slow) {
				p.push({ kind: 'audio', packet: packet(i) })
				await Bun.sleep(37)
			}
		}
		// A lower bound only: after the burst every one of their frames left over a frame late.
		expect(starved.lateMs()).toBeGreaterThan(40)
		expect(fed.lateMs()).toBeLessThan(starved.lateMs())
		for (const p of [...slow, ...steady]) p.clear()
	})
})
