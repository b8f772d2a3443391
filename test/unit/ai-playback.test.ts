import { describe, expect, test } from 'bun:test'
import { eventMs, PlaybackTimeline } from '../../gateway/src/ai/playback'
import type { ProviderEvent } from '../../gateway/src/ai/provider'

// A wrapper's lines are not the wrapped provider's audio: the Realtime model is truncated to what
// the child heard of its own answer, not of "let me think" or the session's introduction.

const pcm = (ms: number): ProviderEvent => ({ type: 'audio', pcm: new Int16Array(24 * ms), sampleRate: 24000 })
const opus = (frames: number): ProviderEvent => ({ type: 'opus', packets: Array.from({ length: frames }, () => new Uint8Array(3)), sampleRate: 16000, frameMs: 60 })

describe('PlaybackTimeline', () => {
	test('maps the toy playback of the wrapper to the inner provider, skipping the wrapper lines', () => {
		const t = new PlaybackTimeline()
		t.note(opus(10), false) // 600 ms intro
		t.note(pcm(500), true)
		t.note({ type: 'sentence', text: 'x' }, true)
		t.note(opus(5), false) // 300 ms of our own in between
		t.note(pcm(300), true)
		let outer = 0
		const inner = t.forInner({ playedMs: () => outer })!
		expect(inner.playedMs()).toBe(0)
		outer = 400
		expect(inner.playedMs()).toBe(0)
		outer = 900
		expect(inner.playedMs()).toBe(300)
		outer = 1300
		expect(inner.playedMs()).toBe(500)
		outer = 1500
		expect(inner.playedMs()).toBe(600)
		outer = 99_000
		expect(inner.playedMs()).toBe(800)
	})

	test('once the wrapper stops its inner provider, all it released counts as heard', () => {
		const t = new PlaybackTimeline()
		t.note(pcm(700), true)
		const inner = t.forInner({ playedMs: () => 100 })!
		t.stopInner()
		t.note(opus(20), false) // the redirect line
		t.note(pcm(500), true) // nothing of the inner provider after the stop is counted
		expect(inner.playedMs()).toBe(700)
	})

	test('no playback from the session means none for the inner provider either', () => {
		expect(new PlaybackTimeline().forInner(undefined)).toBeUndefined()
		expect(eventMs({ type: 'sentence', text: 'hi' })).toBe(0)
		expect(eventMs(opus(3))).toBe(180)
	})
})
